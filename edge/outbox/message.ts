import { EmberError } from '../../shared/errors.js';
import { DEVICE_MAX_PAYLOAD_BYTES } from '../../shared/mqtt/device-limits.js';

/**
 * Priority classes, most urgent first. The index in this list is the class's
 * rank: the outbox drains rank 0 before rank 1, and evicts only from the end.
 */
export const PRIORITIES = ['alarm', 'anomaly', 'status', 'telemetry'] as const;

export type Priority = (typeof PRIORITIES)[number];

/** Classes the quota may evict, in the order it evicts them. Alarms and anomalies are never here. */
export const EVICTABLE: readonly Priority[] = ['telemetry', 'status'];

/**
 * Largest payload the outbox accepts, and the cap of a packed backlog
 * publish: what fits one packet under the broker's device limit (64 KiB by
 * default, shared/mqtt/device-limits.ts), which is also well under IoT
 * Core's 128 KB. A larger payload would be stored and then cut off by the
 * broker on every try, holding its priority class back for good.
 */
export const MAX_PAYLOAD_BYTES = DEVICE_MAX_PAYLOAD_BYTES;

/**
 * Bytes a stored row costs besides its topic and payload (id, rank, times,
 * b-tree cell and index entries), so that many tiny messages are not
 * accounted as free. Measured order of magnitude, not exact.
 */
export const ROW_OVERHEAD_BYTES = 96;

/** What a producer hands to {@link Outbox.enqueue}. */
export interface NewMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly priority: Priority;
}

/** A message as stored: the outbox assigns `id` and `createdAt`. */
export interface OutboxMessage extends NewMessage {
  /** UUIDv7, time-ordered and unique; travels with every publish so the cloud can drop QoS 1 redeliveries. */
  readonly id: string;
  /** Wall-clock time of enqueue, ms since the epoch. */
  readonly createdAt: number;
  /** Failed publish attempts so far (a lease that ended in nack). */
  readonly attempts: number;
}

export function rankOf(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

export function priorityOfRank(rank: number): Priority {
  const priority = PRIORITIES[rank];
  if (priority === undefined) {
    throw new EmberError('EMBER_ERR_OUTBOX_BAD_MESSAGE', `no priority has rank ${rank}`);
  }
  return priority;
}

/** Bytes a message counts against the quota. */
export function storedBytes(message: NewMessage): number {
  return message.payload.length + Buffer.byteLength(message.topic) + ROW_OVERHEAD_BYTES;
}

/** Throws EMBER_ERR_OUTBOX_BAD_MESSAGE unless the message can be stored and later published to IoT Core. */
export function checkNewMessage(message: NewMessage): void {
  if (!(PRIORITIES as readonly string[]).includes(message.priority)) {
    throw new EmberError('EMBER_ERR_OUTBOX_BAD_MESSAGE', `unknown priority '${message.priority}'`);
  }
  if (message.topic.length === 0 || /[#+\0]/.test(message.topic)) {
    throw new EmberError(
      'EMBER_ERR_OUTBOX_BAD_MESSAGE',
      `topic '${message.topic}' is empty or holds a wildcard`,
    );
  }
  if (!Buffer.isBuffer(message.payload)) {
    throw new EmberError('EMBER_ERR_OUTBOX_BAD_MESSAGE', 'payload must be a Buffer');
  }
  if (message.payload.length > MAX_PAYLOAD_BYTES) {
    throw new EmberError(
      'EMBER_ERR_OUTBOX_BAD_MESSAGE',
      `payload of ${message.payload.length} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte payload limit (one packet under the broker's 64 KiB device limit)`,
    );
  }
}
