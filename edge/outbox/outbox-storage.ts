import type { Logger } from '../../shared/logging.js';
import type { SpaceReserve } from './space-reserve.js';

/** How the outbox's storage is doing, for trouble reports. */
export interface StorageState {
  /** The disk space kept for alarms and anomalies is in place (always true when none is kept). */
  readonly reserveHeld: boolean;
  /** Why the last write failed (SQLITE_FULL, an I/O error…), until a write succeeds again. */
  readonly failure: string | undefined;
}

/** How often a spent reserve is tried again while the disk stays full. */
const RESTORE_EVERY_MS = 2000;

/**
 * The outbox's storage condition: whether the reserve for alarms is in
 * place, and whether writes fail. While the reserve is spent, the outbox
 * stores alarms and anomalies only; every few seconds it tries to take the
 * reserve back, which succeeds once space is free again. Listeners hear
 * every change (the agent raises or clears a trouble condition).
 */
export class OutboxStorage {
  readonly #reserve: SpaceReserve | undefined;
  readonly #log: Logger;
  readonly #listeners = new Set<(state: StorageState) => void>();
  #reserveHeld = true;
  #failure: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(reserve: SpaceReserve | undefined, log: Logger) {
    this.#reserve = reserve;
    this.#log = log;
  }

  get state(): StorageState {
    return { reserveHeld: this.#reserveHeld, failure: this.#failure };
  }

  /** Telemetry and status are stored only while the reserve is in place. */
  get acceptsEverything(): boolean {
    return this.#reserveHeld;
  }

  /** Takes the reserve (or waits for the room to), synchronously. */
  start(): void {
    this.#running = true;
    this.#reserveHeld = this.#reserve?.restore() ?? true;
    if (!this.#reserveHeld) {
      this.#log.warn('no room for the reserve: storing alarms and anomalies only until there is');
      this.#armRestore();
    }
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Frees the reserve for alarms and anomalies; returns whether there was one to free. */
  releaseReserve(): boolean {
    if (this.#reserve === undefined || !this.#reserveHeld || !this.#reserve.release()) return false;
    this.#reserveHeld = false;
    this.#log.warn(
      { path: this.#reserve.path },
      'disk full: reserve released for alarms and anomalies; telemetry and status refused until space returns',
    );
    this.#emit();
    this.#armRestore();
    return true;
  }

  /** A write committed. */
  wrote(): void {
    if (this.#failure === undefined) return;
    this.#failure = undefined;
    this.#log.info('outbox writes succeed again');
    this.#emit();
  }

  /** A write failed for `reason`. */
  failed(reason: string): void {
    if (this.#failure === reason) return;
    this.#failure = reason;
    this.#emit();
  }

  onChange(listener: (state: StorageState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #armRestore(): void {
    if (!this.#running || this.#timer !== undefined || this.#reserve === undefined) return;
    const reserve = this.#reserve;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      if (!reserve.restore()) {
        this.#armRestore();
        return;
      }
      this.#reserveHeld = true;
      this.#log.info('space is back: reserve restored, every message is stored again');
      this.#emit();
    }, RESTORE_EVERY_MS);
    this.#timer.unref();
  }

  #emit(): void {
    const state = this.state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (error) {
        this.#log.error({ err: error }, 'a storage listener threw');
      }
    }
  }
}
