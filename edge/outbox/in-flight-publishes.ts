import { EmberError } from '../../shared/errors.js';

/** One send of a message: its identity tells a late outcome of an abandoned send from the current one. */
export interface Flight {
  /** When a publish without PUBACK counts as failed, by the drainer's clock. */
  readonly deadline: number;
}

/** Called for each send past its deadline, with the EMBER_ERR_PUBLISH_TIMEOUT it failed with. */
export type TimeoutHandler = (id: string, flight: Flight, error: EmberError) => void;

/**
 * The drainer's publishes awaiting PUBACK (what `maxInFlight` bounds), each
 * with its deadline, and one timer for all their timeouts. Sends sit in the
 * map in send order, so the first is always the next to expire.
 */
export class InFlightPublishes {
  /** Message id → its current send, in send order (so the first one has the earliest deadline). */
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

  /** Records a new send of a message (replacing any earlier one) and makes sure its timeout is armed. */
  add(id: string): Flight {
    const flight: Flight = { deadline: this.#clock.now() + this.#timeoutMs };
    this.#flights.set(id, flight);
    this.#timer ??= this.#arm(this.#timeoutMs);
    return flight;
  }

  /** Ends a send; false when it is no longer the message's current one (a late outcome). */
  settle(id: string, flight: Flight): boolean {
    if (this.#flights.get(id) !== flight) return false;
    this.#flights.delete(id);
    return true;
  }

  /** Disarms the timeout timer; sends still recorded stay until {@link abandonAll}. */
  stopTimeouts(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets every send; returns their message ids, whose outcomes now count as late. */
  abandonAll(): string[] {
    const abandoned = [...this.#flights.keys()];
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
