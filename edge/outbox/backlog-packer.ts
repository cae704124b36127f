import { TELEMETRY_PACK_KIND } from '../../shared/schemas/messages.js';
import { parseTopic } from '../../shared/topics.js';
import { createMessageIdGenerator } from './message-id.js';
import { MAX_PAYLOAD_BYTES, type OutboxMessage } from './message.js';

/** One publish the drainer makes: a stored message as it is, or several packed into one payload. */
export interface PublishGroup {
  readonly topic: string;
  readonly payload: Buffer;
  /** The stored messages it carries, in stored order; all acked or nacked together. */
  readonly ids: readonly string[];
}

/** Turns leased messages, in drain order, into publishes. */
export interface BacklogPacker {
  /** How many stored messages to lease for `publishes` publishes: about what fills them. */
  rowsFor(publishes: number): number;
  pack(messages: readonly OutboxMessage[]): PublishGroup[];
}

/** Stored messages in one pack at most: bounds a lease and what one lost PUBACK sends again. */
export const PACK_MAX_MESSAGES = 256;

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** A stored payload that can sit in a pack's `messages` array as it is: a JSON object. */
function isJsonObject(payload: Buffer): boolean {
  return payload.length >= 2 && payload[0] === OPEN_BRACE && payload[payload.length - 1] === CLOSE_BRACE;
}

/** Each message alone, as stored: what the drainer does without a packer. */
export function singlePublishes(messages: readonly OutboxMessage[]): PublishGroup[] {
  return messages.map((m) => ({ topic: m.topic, payload: m.payload, ids: [m.id] }));
}

export interface TelemetryPackerOptions {
  /** Largest packed payload; the outbox's own payload limit by default. */
  readonly maxBytes?: number;
  readonly maxMessages?: number;
  /** Timestamps of packs, ms since the epoch. */
  readonly clock?: { now(): number };
}

/**
 * Packs runs of stored telemetry of one device (consecutive in drain order,
 * same topic) into one `TelemetryPack` per publish, up to `maxBytes`, each
 * stored payload copied in unchanged. Everything else (alarms, anomalies,
 * status, model reports) goes alone and, since the outbox drains by
 * priority, ahead of any telemetry: nothing is ever merged behind
 * telemetry. A run of one is published exactly as stored, so a drainer
 * without a backlog sends what it always sent. Pure apart from the pack ids.
 */
export class TelemetryPacker implements BacklogPacker {
  readonly maxMessages: number;
  readonly #maxBytes: number;
  /** Running mean of the telemetry payloads seen, so a lease takes about what fills its packs. */
  #meanBytes = 512;
  readonly #nextId: () => string;
  readonly #clock: { now(): number };

  constructor(options: TelemetryPackerOptions = {}) {
    this.maxMessages = options.maxMessages ?? PACK_MAX_MESSAGES;
    this.#maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES;
    this.#clock = options.clock ?? Date;
    this.#nextId = createMessageIdGenerator(this.#clock);
  }

  rowsFor(publishes: number): number {
    const perPack = Math.floor(this.#maxBytes / Math.max(1, this.#meanBytes));
    return publishes * Math.max(1, Math.min(this.maxMessages, perPack));
  }

  pack(messages: readonly OutboxMessage[]): PublishGroup[] {
    const groups: PublishGroup[] = [];
    let run: OutboxMessage[] = [];
    let runBytes = 0;
    let runDevice = '';
    const close = (): void => {
      if (run.length === 1) groups.push(...singlePublishes(run));
      else if (run.length > 1) groups.push(this.#packOf(run, runDevice));
      run = [];
    };
    for (const message of messages) {
      const deviceId = this.#packableDevice(message);
      if (deviceId === undefined) {
        close();
        groups.push(...singlePublishes([message]));
        continue;
      }
      // One comma before every inner message but the first.
      const fits =
        run.length > 0 &&
        message.topic === run[0]?.topic &&
        run.length < this.maxMessages &&
        runBytes + 1 + message.payload.length <= this.#maxBytes;
      if (fits) {
        runBytes += 1 + message.payload.length;
      } else {
        close();
        runDevice = deviceId;
        runBytes = packHeadBytes(deviceId) + message.payload.length;
      }
      run.push(message);
    }
    close();
    return groups;
  }

  /** The device of a message that may be packed; undefined when it goes alone. */
  #packableDevice(message: OutboxMessage): string | undefined {
    if (message.priority !== 'telemetry' || !isJsonObject(message.payload)) return undefined;
    const topic = parseTopic(message.topic);
    if (topic?.kind !== 'telemetry') return undefined;
    if (packHeadBytes(topic.deviceId) + message.payload.length > this.#maxBytes) return undefined;
    this.#meanBytes += (message.payload.length + 1 - this.#meanBytes) / 64;
    return topic.deviceId;
  }

  /** Two or more stored messages of `deviceId` as one TelemetryPack. */
  #packOf(run: readonly OutboxMessage[], deviceId: string): PublishGroup {
    const parts: Buffer[] = [Buffer.from(packHead(this.#nextId(), deviceId, Math.round(this.#clock.now())))];
    run.forEach((m, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(m.payload);
    });
    parts.push(CLOSE);
    return { topic: run[0]?.topic ?? '', payload: Buffer.concat(parts), ids: run.map((m) => m.id) };
  }
}

/** The text of a pack before its first inner message. */
function packHead(id: string, deviceId: string, ts: number): string {
  const head = JSON.stringify({ schemaVersion: 1, kind: TELEMETRY_PACK_KIND, id, deviceId, ts });
  return `${head.slice(0, -1)},"messages":[`;
}

/** Bytes of a pack's head and tail for `deviceId`: a UUIDv7 and a 13-digit timestamp are as wide as any. */
function packHeadBytes(deviceId: string): number {
  return Buffer.byteLength(packHead('00000000-0000-7000-8000-000000000000', deviceId, 1e12)) + CLOSE.length;
}
