import { performance } from 'node:perf_hooks';
import { EmberError } from '../../shared/errors.js';

/** Cancels what a clock scheduled; calling it twice is harmless. */
export type Cancel = () => void;

/**
 * Emulator time in simulated seconds. A speed of 10 plays ten simulated
 * seconds per real second, so a 1 Hz module sends ten frames a second.
 */
export interface EmulatorClock {
  /** Simulated seconds per real second. */
  readonly speed: number;
  /** Simulated seconds since the clock started. */
  now(): number;
  /** Runs `callback` once after `seconds` of simulated time. */
  after(seconds: number, callback: () => void): Cancel;
}

export interface ScaledClockOptions {
  readonly speed?: number;
  /** Simulated time at the start, s. */
  readonly startS?: number;
  /** Monotonic real time, ms. */
  readonly realNowMs?: () => number;
}

/** Real timers scaled by a speed factor. */
export class ScaledClock implements EmulatorClock {
  readonly speed: number;
  readonly #startS: number;
  readonly #realNowMs: () => number;
  readonly #originMs: number;

  constructor(options: ScaledClockOptions = {}) {
    const speed = options.speed ?? 1;
    if (!(Number.isFinite(speed) && speed > 0)) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', `speed must be a positive number, got ${speed}`);
    }
    this.speed = speed;
    this.#startS = options.startS ?? 0;
    this.#realNowMs = options.realNowMs ?? (() => performance.now());
    this.#originMs = this.#realNowMs();
  }

  now(): number {
    return this.#startS + ((this.#realNowMs() - this.#originMs) / 1000) * this.speed;
  }

  after(seconds: number, callback: () => void): Cancel {
    const timer = setTimeout(callback, Math.max(0, (seconds * 1000) / this.speed));
    return () => clearTimeout(timer);
  }
}
