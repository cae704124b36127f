import type { NewMessage, OutboxMessage, Priority } from './message.js';

/** Counts for one priority class. */
export interface PriorityStats {
  readonly messages: number;
  /** Accounted bytes (payload + topic + row overhead). */
  readonly bytes: number;
  /** `createdAt` of the next message of this class to drain; undefined when empty. */
  readonly oldestCreatedAt: number | undefined;
  /** Messages of this class evicted by the quota since start(). Always 0 for alarm and anomaly. */
  readonly evicted: number;
}

/** A snapshot of an outbox, cheap enough to take for every health report. */
export interface OutboxStats {
  readonly byPriority: Readonly<Record<Priority, PriorityStats>>;
  readonly messages: number;
  readonly bytes: number;
  /** Age of the oldest waiting message in ms by the outbox's clock; 0 when empty. */
  readonly oldestAgeMs: number;
  /** Messages handed out by lease() and neither acked nor given back yet. */
  readonly leased: number;
  readonly quotaBytes: number;
  readonly hardCeilingBytes: number;
}

/**
 * Store-and-forward queue between the edge pipeline and the broker, after
 * MQTT.js's IStore: every implementation passes the contract suite in
 * test/outbox-contract.test.ts.
 *
 * Drain order: by priority (alarm, anomaly, status, telemetry), then first in,
 * first out within a priority by enqueue order. Strict priority rather than
 * weighted sharing because after an outage the cloud must see an alarm
 * before hours of backlog; FIFO within a class because consumers rebuild
 * time series and alarm transitions from arrival order.
 *
 * Delivery is at least once: a message is deleted only by ack(); a lease is
 * held in memory only, so after a crash every un-acked message is leased
 * again and may be published twice (the cloud drops duplicates by id).
 */
export interface Outbox {
  /** Opens storage and rebuilds counters; constructors do no I/O. */
  start(): Promise<void>;
  /** Commits whatever is pending, then closes; later calls reject with EMBER_ERR_NOT_STARTED. */
  stop(): Promise<void>;
  /**
   * Stores one message. Resolves with its id only once it is durable (see the
   * implementation for exactly what "durable" covers). Rejects with
   * EMBER_ERR_OUTBOX_FULL / EMBER_ERR_OUTBOX_HARD_LIMIT when the quota
   * refuses it, EMBER_ERR_OUTBOX_BAD_MESSAGE when it is malformed,
   * EMBER_ERR_OUTBOX_WRITE when storage fails.
   */
  enqueue(message: NewMessage): Promise<OutboxMessage>;
  /**
   * Stores several messages all or nothing, in order. The quota judges the
   * group as one: its total size, and the lowest priority in it.
   */
  enqueueMany(messages: readonly NewMessage[]): Promise<OutboxMessage[]>;
  /** Up to `max` durable messages in drain order that are not leased already; marks them leased. */
  lease(max: number): Promise<OutboxMessage[]>;
  /** The broker has them: deletes them for good. Unknown ids are ignored. Resolves with the number deleted. */
  ack(ids: readonly string[]): Promise<number>;
  /** Publishing failed: counts an attempt and gives the lease back, so they drain again in their old place. */
  nack(ids: readonly string[]): Promise<void>;
  /** Gives leases back without counting an attempt (e.g. when the drainer stops). */
  release(ids: readonly string[]): Promise<void>;
  stats(): Promise<OutboxStats>;
  /** Calls `listener` after new messages became durable (so a drainer need not poll). Returns an unsubscribe function. */
  onDurable(listener: () => void): () => void;
}
