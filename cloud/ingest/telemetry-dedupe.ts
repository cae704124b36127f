/** Stored telemetry messages remembered at most, fleet-wide (about 100 bytes each). */
export const DEFAULT_REMEMBERED_TELEMETRY = 200_000;

/**
 * Which stored telemetry messages the cloud has already handed on, by the
 * id each was stored with on its device. A device's records travel inside
 * the stored message they were written in, whether it is published alone
 * or packed with others into a backlog publish, and a stored message is
 * never split: so its id names its records, and a record is handed on once
 * however often (and in whichever pack) QoS 1 or a repacked retry brings it
 * again. The memory is bounded: the oldest ids are forgotten first. A
 * device sends a message again within its next few dozen publishes (its
 * in-flight window, or the acks a power cut undid), far inside the bound
 * unless very many devices drain large backlogs at the same moment. Per
 * process: with shared subscriptions each worker remembers what it saw.
 */
export class TelemetryDedupe {
  readonly #capacity: number;
  /** Insertion-ordered, so the first key is the oldest. */
  readonly #seen = new Set<string>();

  constructor(capacity: number = DEFAULT_REMEMBERED_TELEMETRY) {
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Forgets `messageId` of `deviceId` (its handler failed, so a redelivery must be handed on). */
  forget(deviceId: string, messageId: string): void {
    this.#seen.delete(`${deviceId}\u0000${messageId}`);
  }

  /** True the first time `messageId` of `deviceId` is offered, false for every repeat still remembered. */
  firstTime(deviceId: string, messageId: string): boolean {
    const key = `${deviceId}\u0000${messageId}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > this.#capacity) {
      const oldest = this.#seen.values().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    return true;
  }
}
