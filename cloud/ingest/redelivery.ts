import { createHash } from 'node:crypto';
import { EmberError } from '../../shared/errors.js';

/**
 * What becomes of one QoS 1 message's acknowledgement. `ack()` sends the
 * PUBACK: the handler committed its effects, or the message was refused
 * (a refusal would be refused again). `retry()` withholds it after a
 * handler failed, so that the broker sends the message again.
 */
export interface Settlement {
  ack(): void;
  retry(): void;
}

/** Deliveries of one message whose handler fails for a reason a retry does not cure, before it is given up. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Messages whose handler failed, remembered at most (a key of about 100 bytes each). */
const REMEMBERED_FAILURES = 10_000;

/**
 * True when the failure may pass by itself (the database away, a
 * deadlock): such a message is redelivered for as long as it takes.
 */
export function passes(error: unknown): boolean {
  return error instanceof EmberError && error.retryable;
}

/**
 * How many times each message's handler has failed, by topic and payload
 * digest (a redelivery carries the same bytes; anomaly, health and
 * telemetry bodies carry ids and times, so two different messages do not
 * share a key). Bounded: the oldest entries are forgotten first.
 */
export class FailedAttempts {
  readonly #counts = new Map<string, number>();

  /** Messages with failures remembered. */
  get size(): number {
    return this.#counts.size;
  }

  static keyOf(topic: string, payload: Uint8Array): string {
    return `${topic}\u0000${createHash('sha256').update(payload).digest('base64')}`;
  }

  /** Counts one more failure of `key` and returns how many there have been. */
  failed(key: string): number {
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.delete(key);
    this.#counts.set(key, count);
    if (this.#counts.size > REMEMBERED_FAILURES) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    return count;
  }

  forget(key: string): void {
    this.#counts.delete(key);
  }
}
