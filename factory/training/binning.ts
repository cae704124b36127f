import { EmberError } from '../../shared/errors.js';
import { createPrng, sampleSortedIndices } from './prng.js';
import type { FeatureMatrix } from './training-set.js';

/** Most value bins a feature may have: bin codes are bytes and one code is kept for missing. */
export const MAX_VALUE_BINS = 255;
/** At most this many rows feed the quantile estimate; more buys little precision for much sorting. */
const QUANTILE_SAMPLE_ROWS = 100_000;

/**
 * Features quantised once per training run. `cuts[f]` holds ascending
 * float32 thresholds; a value v falls in bin b when cuts[b-1] <= v < cuts[b],
 * so "bin <= b" is exactly "v < cuts[b]", the comparison the exported
 * model makes (BRANCH_LT). NaN gets bin code `maxBins` (the missing bin).
 */
export interface BinnedFeatures {
  readonly rows: number;
  readonly cols: number;
  readonly maxBins: number;
  readonly cuts: readonly Float32Array[];
  /**
   * Row-major: bin of row r, feature f at `bins[r * cols + f]`. Row-major
   * because histogram building reads every feature of a row at once, which
   * measured about twice as fast as per-column passes.
   */
  readonly bins: Uint8Array;
}

/**
 * Cut points for one feature from its sorted, NaN-free values: at most
 * maxBins - 1 cuts at quantiles, each strictly above the largest value of the
 * bin below it and float32-representable.
 */
export function quantileCuts(sorted: Float32Array, maxBins: number): Float32Array {
  const n = sorted.length;
  const cuts: number[] = [];
  if (countDistinct(sorted) <= maxBins) {
    // Few distinct values (flags, counts): one bin each, however rare.
    for (let i = 1; i < n; i++) {
      const below = sorted[i - 1] ?? 0;
      const upper = sorted[i] ?? 0;
      if (upper > below) cuts.push(float32Between(below, upper));
    }
    return Float32Array.from(cuts);
  }
  let last = Number.NEGATIVE_INFINITY;
  for (let k = 1; k < maxBins; k++) {
    const upper = sorted[Math.floor((k * n) / maxBins)];
    if (upper === undefined || upper <= last) continue;
    const below = sorted[lowerBound(sorted, upper) - 1];
    if (below === undefined) continue;
    cuts.push(float32Between(below, upper));
    last = upper;
  }
  return Float32Array.from(cuts);
}

/** A float32 c with below < c <= upper, near their midpoint. */
export function float32Between(below: number, upper: number): number {
  const mid = Math.fround(below / 2 + upper / 2);
  return mid > below && mid <= upper ? mid : upper;
}

/** The bin of a value: the number of cuts <= value, or `missingBin` for NaN. */
export function binOf(cuts: Float32Array, value: number, missingBin: number): number {
  if (Number.isNaN(value)) return missingBin;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Computes quantile cuts per feature and the column-major bin matrix. */
export function binFeatures(matrix: FeatureMatrix, maxBins: number, seed = 0): BinnedFeatures {
  const { rows, cols, values } = matrix;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_VALUE_BINS) {
    throw new EmberError(
      'EMBER_ERR_BAD_HYPERPARAMETERS',
      `maxBins ${maxBins} is outside 2..${MAX_VALUE_BINS}`,
    );
  }
  const sampleRows =
    rows > QUANTILE_SAMPLE_ROWS
      ? sampleSortedIndices(rows, QUANTILE_SAMPLE_ROWS, createPrng(seed))
      : undefined;
  const sampleSize = sampleRows?.length ?? rows;
  const column = new Float32Array(sampleSize);
  const bins = new Uint8Array(rows * cols);
  const cuts: Float32Array[] = [];
  for (let f = 0; f < cols; f++) {
    let present = 0;
    for (let i = 0; i < sampleSize; i++) {
      const r = sampleRows === undefined ? i : (sampleRows[i] ?? 0);
      const v = values[r * cols + f] ?? Number.NaN;
      if (!Number.isNaN(v)) column[present++] = v;
    }
    const featureCuts = quantileCuts(column.subarray(0, present).sort(), maxBins);
    cuts.push(featureCuts);
    for (let r = 0; r < rows; r++) {
      const at = r * cols + f;
      bins[at] = binOf(featureCuts, values[at] ?? Number.NaN, maxBins);
    }
  }
  return { rows, cols, maxBins, cuts, bins };
}

function lowerBound(sorted: Float32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countDistinct(sorted: Float32Array): number {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if ((sorted[i] ?? 0) > (sorted[i - 1] ?? 0)) distinct++;
  return distinct;
}
