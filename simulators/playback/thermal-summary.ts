import type { ThermalSeries } from '../../shared/dataset/sensor-series.js';

/** Per-frame statistics of a run's thermal frames, °C. */
export interface ThermalSummary {
  readonly t_s: Float64Array;
  readonly maxC: Float64Array;
  readonly medianC: Float64Array;
  /** The frame holding the hottest pixel of the run (the first one on a tie); −1 without frames. */
  readonly peakFrame: number;
}

/** Hottest and median pixel of every frame, and the frame with the hottest pixel of all. */
export function summariseThermal(series: ThermalSeries): ThermalSummary {
  const frames = series.t_s.length;
  const n = series.width * series.height;
  const maxC = new Float64Array(frames);
  const medianC = new Float64Array(frames);
  const scratch = new Int16Array(n);
  let peakFrame = -1;
  let peakCenti = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < frames; k++) {
    scratch.set(series.pixels_centi.subarray(k * n, (k + 1) * n));
    scratch.sort();
    const hottest = scratch[n - 1] ?? 0;
    const middle =
      n % 2 === 1 ? (scratch[n >> 1] ?? 0) : ((scratch[n / 2 - 1] ?? 0) + (scratch[n / 2] ?? 0)) / 2;
    maxC[k] = hottest / 100;
    medianC[k] = middle / 100;
    if (hottest > peakCenti) {
      peakCenti = hottest;
      peakFrame = k;
    }
  }
  return { t_s: series.t_s, maxC, medianC, peakFrame };
}
