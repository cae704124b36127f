import type { ParticulateChannels } from '../schemas/readings.js';

/**
 * A check that a module's output moves no faster than the module can
 * respond. A faster jump is a fault (a saturated, pinned or glitching
 * output); the output counts as faulty while it repeats the value it jumped
 * to, and is trusted again as soon as it moves.
 */
export class RateGate {
  readonly #maxRatePerS: number;
  #last = Number.NaN;
  #lastTs = -Infinity;
  #fault: number | undefined;

  constructor(maxRatePerS: number) {
    this.#maxRatePerS = maxRatePerS;
  }

  /** Whether `value`, read at `ts` (ms), is plausible; a value that is not is never remembered as the last good one. */
  accept(value: number, ts: number): boolean {
    if (this.#fault !== undefined) {
      if (value === this.#fault) return false;
      this.#fault = undefined;
    } else if (Math.abs(value - this.#last) > this.#maxRatePerS * Math.max(1, (ts - this.#lastTs) / 1000)) {
      this.#fault = value;
      return false;
    }
    this.#last = value;
    this.#lastTs = ts;
    return true;
  }
}

/**
 * A PMS5003 frame no real aerosol can give: its counts are cumulative
 * (particles above 0.3 µm include those above 10 µm), so as many above
 * 10 µm as above 0.3 µm means a saturated or broken counter. Real dusts
 * stay under a few per cent.
 */
export function impossibleParticleCounts(reading: ParticulateChannels): boolean {
  return reading.n0_3_per_dl >= 1000 && reading.n10_per_dl >= 0.5 * reading.n0_3_per_dl;
}
