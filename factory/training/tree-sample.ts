import type { BinnedFeatures } from './binning.js';

/**
 * The rows and features one tree is grown on, packed contiguously (row-major
 * bins, gradients in the same order) so histogram passes read memory in
 * sequence. Row i of the sample is training row `sourceRows[i]`.
 */
export interface TreeSample {
  readonly rows: number;
  /** Global feature index of each sample column. */
  readonly features: Uint32Array;
  /** Bin of sample row i, column j at `bins[i * features.length + j]`. */
  readonly bins: Uint8Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
}

/** Buffers reused by every tree of a training run. */
export interface TreeSampleBuffers {
  readonly bins: Uint8Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
}

/** Allocates buffers for samples of at most `rows` rows and `width` features. */
export function allocateSampleBuffers(rows: number, width: number): TreeSampleBuffers {
  return { bins: new Uint8Array(rows * width), grad: new Float64Array(rows), hess: new Float64Array(rows) };
}

/**
 * Packs the chosen rows (ascending, in sourceRows[0, rowCount)) and features
 * of a binned matrix. When everything is chosen the originals are returned
 * as they are, since a copy would buy nothing.
 */
export function packTreeSample(
  binned: BinnedFeatures,
  grad: Float64Array,
  hess: Float64Array,
  sourceRows: Uint32Array,
  rowCount: number,
  features: Uint32Array,
  buffers: TreeSampleBuffers,
): TreeSample {
  const { cols } = binned;
  const width = features.length;
  if (rowCount === binned.rows && width === cols) {
    return { rows: rowCount, features, bins: binned.bins, grad, hess };
  }
  const source = binned.bins;
  const target = buffers.bins;
  const allFeatures = width === cols;
  for (let i = 0; i < rowCount; i++) {
    const r = sourceRows[i] ?? 0;
    buffers.grad[i] = grad[r] ?? 0;
    buffers.hess[i] = hess[r] ?? 0;
    const from = r * cols;
    const to = i * width;
    if (allFeatures) {
      target.set(source.subarray(from, from + cols), to);
    } else {
      for (let j = 0; j < width; j++) target[to + j] = source[from + (features[j] ?? 0)] ?? 0;
    }
  }
  return { rows: rowCount, features, bins: target, grad: buffers.grad, hess: buffers.hess };
}
