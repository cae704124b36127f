import { FLAME_PIXEL_C } from '../detection/flame-growth.js';

/**
 * Hotspot statistics of one thermal frame, computed once per frame on the
 * edge's hot path: no sorting, no allocation beyond a reused histogram.
 */
export interface ThermalStats {
  /** Hottest pixel, °C. */
  readonly maxC: number;
  /** Median pixel, °C: the scene's background, robust to hot objects. */
  readonly medianC: number;
  /** Pixels at least {@link HOT_MARGIN_C} above the median. */
  readonly hotPixels: number;
  /** Mean excess over the median of the hot pixels, °C (0 when none). */
  readonly hotExcessC: number;
  /** Excess-weighted centroid of the hot pixels, in pixels; NaN when none. */
  readonly centroidX: number;
  readonly centroidY: number;
  /** Pixels at a flame's temperature ({@link FLAME_PIXEL_C} or more), for the camera's floor. */
  readonly flamePixels: number;
}

/** A pixel this much above the scene median counts as part of a hotspot. */
export const HOT_MARGIN_C = 8;

const BIN_C = 0.25;
const LOW_C = -40;
const BINS = Math.ceil((300 - LOW_C) / BIN_C) + 1;

/**
 * Math.round((c − LOW_C) / BIN_C) once clamped to the histogram, without
 * Math.round: V8 lowers it to a branch that fractional pixel values
 * mispredict half the time, which made it most of a frame's cost. floor(v +
 * 0.5) equals Math.round(v) for every double v except 0.5 − 2⁻⁵⁴ (where
 * v + 0.5 rounds up to 1) and except signs of zero and values past 2⁵²,
 * which the clamp to [0, BINS − 1] makes equal. That one v is unreachable:
 * c − LOW_C near 0.125 is a multiple of 2⁻⁴⁷ (c is near −39.875), never
 * 0.125 − 2⁻⁵⁶.
 */
function nearestBin(c: number): number {
  return Math.floor((c - LOW_C) / BIN_C + 0.5);
}

/** Reusable scratch space, so computing stats allocates nothing per frame. */
export class ThermalStatsComputer {
  readonly #histogram = new Uint16Array(BINS);

  compute(pixels: ArrayLike<number>, width: number): ThermalStats {
    const n = pixels.length;
    const histogram = this.#histogram;
    histogram.fill(0);
    let maxC = -Infinity;
    let flamePixels = 0;
    for (let i = 0; i < n; i++) {
      const c = pixels[i] ?? 0;
      if (c > maxC) maxC = c;
      if (c >= FLAME_PIXEL_C) flamePixels++;
      const bin = Math.min(BINS - 1, Math.max(0, nearestBin(c)));
      histogram[bin] = (histogram[bin] ?? 0) + 1;
    }
    let seen = 0;
    let medianBin = 0;
    while (medianBin < BINS - 1 && seen + (histogram[medianBin] ?? 0) <= n / 2)
      seen += histogram[medianBin++] ?? 0;
    const medianC = LOW_C + medianBin * BIN_C;
    let hotPixels = 0;
    let excessSum = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const excess = (pixels[i] ?? 0) - medianC;
      if (excess < HOT_MARGIN_C) continue;
      hotPixels++;
      excessSum += excess;
      sx += excess * (i % width);
      sy += excess * Math.floor(i / width);
    }
    return {
      maxC: n === 0 ? Number.NaN : maxC,
      medianC,
      hotPixels,
      hotExcessC: hotPixels === 0 ? 0 : excessSum / hotPixels,
      centroidX: hotPixels === 0 ? Number.NaN : sx / excessSum,
      centroidY: hotPixels === 0 ? Number.NaN : sy / excessSum,
      flamePixels,
    };
  }
}
