import { performance } from 'node:perf_hooks';
import { Listeners } from '../../shared/listeners.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { LeaseStore } from './lease-store.js';

export interface SingletonLeaseOptions {
  readonly store: LeaseStore;
  /** The singleton: `rollout`, `response-repeats`, `learning`. */
  readonly name: string;
  /** This worker, unique among those sharing the database. */
  readonly holder: string;
  /** How long a lease lasts unrenewed: how long a dead holder blocks the others at most. */
  readonly ttlMs?: number;
  /** How often the holder renews and the others try to take it; a third of ttlMs by default. */
  readonly renewEveryMs?: number;
  readonly logger?: Logger;
}

/** 6 s unrenewed, tried every 2 s: a dead holder's singleton runs again elsewhere within 8 s. */
export const DEFAULT_LEASE_TTL_MS = 6_000;

/**
 * Keeps trying to hold one named lease and says when this worker gains or
 * loses it (`onChange`). The holder renews it every `renewEveryMs`; a renewal
 * that fails, or one that comes too late (a stalled event loop), counts as
 * lost at once, before another worker can take it over. `stop()` gives the
 * lease up so another worker takes it at its next try.
 */
export class SingletonLease {
  readonly #store: LeaseStore;
  readonly #name: string;
  readonly #holder: string;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #log: Logger;
  readonly #changes = new Listeners<[held: boolean]>();
  #timer: NodeJS.Timeout | undefined;
  #held = false;
  /** performance.now() of the last successful claim: a wall-clock step must not stretch our lease. */
  #claimedAt = 0;

  constructor(options: SingletonLeaseOptions) {
    this.#store = options.store;
    this.#name = options.name;
    this.#holder = options.holder;
    this.#ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.#renewEveryMs = options.renewEveryMs ?? Math.floor(this.#ttlMs / 3);
    this.#log = (options.logger ?? silentLogger()).child({ component: 'lease', lease: options.name });
  }

  /** True while this worker holds the lease. */
  get held(): boolean {
    return this.#held;
  }

  get name(): string {
    return this.#name;
  }

  /** Listens for gaining (true) and losing (false) the lease; returns the function that stops listening. */
  onChange(listener: (held: boolean) => void): () => void {
    return this.#changes.add(listener);
  }

  /** Tries at once (the store must be open), then every renewEveryMs. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), this.#renewEveryMs);
    this.#timer.unref();
    this.#tick();
  }

  /** Stops trying; a held lease is given up (released in the store) and reported lost. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.#held) return;
    try {
      this.#store.release(this.#name, this.#holder);
    } catch (error) {
      this.#log.warn({ err: error }, 'could not release the lease; it expires on its own');
    }
    this.#set(false);
  }

  #tick(): void {
    // A renewal later than the lease's life: another worker may already hold it.
    if (this.#held && performance.now() - this.#claimedAt >= this.#ttlMs) this.#set(false);
    const started = performance.now();
    let mine = false;
    try {
      mine = this.#store.claim(this.#name, this.#holder, this.#ttlMs);
    } catch (error) {
      if (this.#held) this.#log.warn({ err: error }, 'could not renew the lease; giving it up');
    }
    if (mine) this.#claimedAt = started;
    this.#set(mine);
  }

  #set(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    this.#log.info({ holder: this.#holder }, held ? 'lease gained' : 'lease lost');
    try {
      this.#changes.emit(held);
    } catch (error) {
      this.#log.error({ err: error }, 'a lease listener failed');
    }
  }
}
