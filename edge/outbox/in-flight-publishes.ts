import { EmberError } from '../../shared/errors.js';

/** One send of a message: its identity tells a late outcome of an abandoned send from the current one. */
export interface Flight {
  /** When a publish without PUBACK counts as failed, by the drainer's clock. */
  readonly deadline: number;
  /** The stored messages this publish carries (one, or a packed backlog). */
  readonly ids: readonly string[];
}

/** Called for each send past its deadline (keyed by its first message), with the EMBER_ERR_PUBLISH_TIMEOUT it failed with. */
export type TimeoutHandler = (key: string, flight: Flight, error: EmberError) => void;

/**
 * The drainer's publishes awaiting PUBACK (what `maxInFlight` bounds), each
 * with its deadline, and one timer for all their timeouts. Sends sit in the
 * map in send order, so the first is always the next to expire.
 */
export class InFlightPublishes {
  /** First message id of a publish → its current send, in send order (so the first one has the earliest deadline). */
  readonly #flights = new Map<string, Flight>();
  readonly #clock: { now(): number };
  readonly #timeoutMs: number;
  readonly #onTimeout: TimeoutHandler;
  /** One timer for all publish timeouts, armed for the earliest deadline. */
  #timer: NodeJS.Timeout | undefined;

  constructor(clock: { now(): number }, timeoutMs: number, onTimeout: TimeoutHandler) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  /** Publishes awaiting their PUBACK. */
  get size(): number {
    return this.#flights.size;
  }

  /**
   * Records a new send of the messages `ids` under the key `ids[0]`
   * (replacing any earlier send with that key) and makes sure its timeout is armed.
   */
  add(ids: readonly string[]): Flight {
    const flight: Flight = { deadline: this.#clock.now() + this.#timeoutMs, ids };
    this.#flights.set(ids[0] ?? '', flight);
    this.#timer ??= this.#arm(this.#timeoutMs);
    return flight;
  }

  /** Ends a send; false when it is no longer the current one under its key (a late outcome). */
  settle(flight: Flight): boolean {
    const key = flight.ids[0] ?? '';
    if (this.#flights.get(key) !== flight) return false;
    this.#flights.delete(key);
    return true;
  }

  /** Disarms the timeout timer; sends still recorded stay until {@link abandonAll}. */
  stopTimeouts(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets every send; returns the ids of the messages they carried, whose outcomes now count as late. */
  abandonAll(): string[] {
    const abandoned = [...this.#flights.values()].flatMap((flight) => flight.ids);
    this.#flights.clear();
    return abandoned;
  }

  /** Fails every send past its deadline, then waits for the next one. */
  #arm(ms: number): NodeJS.Timeout {
    return setTimeout(
      () => {
        this.#timer = undefined;
        const now = this.#clock.now();
        for (const [id, flight] of this.#flights) {
          if (flight.deadline > now) {
            this.#timer = this.#arm(flight.deadline - now);
            return;
          }
          const error = new EmberError(
            'EMBER_ERR_PUBLISH_TIMEOUT',
            `no PUBACK after ${String(this.#timeoutMs)} ms`,
          );
          this.#onTimeout(id, flight, error);
        }
      },
      Math.max(1, ms),
    );
  }
}
