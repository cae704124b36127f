import type { ParticulateChannels } from '../schemas/readings.js';

/**
 * A check that a module's output moves no faster than the module can
 * respond. A faster change is refused until enough time has passed for the
 * module to have got there, so a wrong reference never holds a channel
 * faulty for good (a clean room reads 0 ppm for hours). A jump to the top of
 * the module's range is a saturated output: it stays faulty for as long as
 * the output stays there.
 */
export class RateGate {
  readonly #maxRatePerS: number;
  readonly #fullScale: number;
  #last = Number.NaN;
  #lastTs = -Infinity;
  #pinned = false;

  constructor(maxRatePerS: number, fullScale: number) {
    this.#maxRatePerS = maxRatePerS;
    this.#fullScale = fullScale;
  }

  /** Whether `value`, read at `ts` (ms), is plausible; a value that is not is never remembered as the last good one. */
  accept(value: number, ts: number): boolean {
    if (this.#pinned) {
      if (value >= this.#fullScale) return false;
      this.#pinned = false;
    }
    const possible = this.#maxRatePerS * Math.max(1, (ts - this.#lastTs) / 1000);
    if (Math.abs(value - this.#last) > possible) {
      this.#pinned = value >= this.#fullScale && value > this.#last;
      return false;
    }
    this.#last = value;
    this.#lastTs = ts;
    return true;
  }
}

/**
 * A PMS5003 frame no real aerosol can give: its counts are cumulative
 * (particles above 0.3 µm include those above 10 µm), and even coarse dust
 * puts only a few per cent of them above 10 µm. Half or more there, in a
 * frame with at least 1000 particles per 0.1 L, means a saturated or broken
 * counter.
 */
export function impossibleParticleCounts(reading: ParticulateChannels): boolean {
  return reading.n0_3_per_dl >= 1000 && reading.n10_per_dl >= 0.5 * reading.n0_3_per_dl;
}
