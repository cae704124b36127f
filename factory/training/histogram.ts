import type { TreeSample } from './tree-sample.js';

/** Each histogram slot holds gradient sum, hessian sum and row count, side by side. */
export const SLOT_WIDTH = 3;

/** Gradient statistics of a set of rows. */
export interface NodeTotals {
  grad: number;
  hess: number;
  count: number;
}

/**
 * Histogram shape: `slots` bins per sample column (value bins plus the
 * missing bin, which is the last); column j, bin b starts at
 * (j * slots + b) * SLOT_WIDTH.
 */
export interface HistogramLayout {
  readonly columns: number;
  readonly slots: number;
}

/** Float64 storage for one node's histogram. */
export function allocateHistogram(layout: HistogramLayout): Float64Array {
  return new Float64Array(layout.columns * layout.slots * SLOT_WIDTH);
}

/**
 * Sums gradients of the sample rows listed in index[start, end) into `out`
 * (overwritten). Rows go in the outer loop so each row's bins and gradients
 * are read once, in order; the feature loop is unrolled by four, which
 * measured about a third faster in V8 (independent slot updates overlap).
 */
export function buildHistogram(
  out: Float64Array,
  sample: TreeSample,
  slots: number,
  index: Uint32Array,
  start: number,
  end: number,
): void {
  out.fill(0);
  const { bins, grad, hess } = sample;
  const width = sample.features.length;
  const stride = slots * SLOT_WIDTH;
  const unrolledWidth = width - (width % 4);
  for (let i = start; i < end; i++) {
    const r = index[i] ?? 0;
    const g = grad[r] ?? 0;
    const h = hess[r] ?? 0;
    const rowStart = r * width;
    let j = 0;
    let base = 0;
    for (; j < unrolledWidth; j += 4, base += 4 * stride) {
      const s0 = base + (bins[rowStart + j] ?? 0) * SLOT_WIDTH;
      const s1 = base + stride + (bins[rowStart + j + 1] ?? 0) * SLOT_WIDTH;
      const s2 = base + 2 * stride + (bins[rowStart + j + 2] ?? 0) * SLOT_WIDTH;
      const s3 = base + 3 * stride + (bins[rowStart + j + 3] ?? 0) * SLOT_WIDTH;
      addToSlot(out, s0, g, h);
      addToSlot(out, s1, g, h);
      addToSlot(out, s2, g, h);
      addToSlot(out, s3, g, h);
    }
    for (; j < width; j++, base += stride)
      addToSlot(out, base + (bins[rowStart + j] ?? 0) * SLOT_WIDTH, g, h);
  }
}

function addToSlot(out: Float64Array, slot: number, g: number, h: number): void {
  out[slot] = (out[slot] ?? 0) + g;
  out[slot + 1] = (out[slot + 1] ?? 0) + h;
  out[slot + 2] = (out[slot + 2] ?? 0) + 1;
}

/** parent -= child, turning a parent's histogram into its other child's. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i] = (parent[i] ?? 0) - (child[i] ?? 0);
}

/** Reuses histogram buffers across nodes and trees, so growing a tree allocates nothing per node. */
export class HistogramPool {
  readonly #free: Float64Array[] = [];

  constructor(readonly layout: HistogramLayout) {}

  acquire(): Float64Array {
    return this.#free.pop() ?? allocateHistogram(this.layout);
  }

  release(histogram: Float64Array): void {
    this.#free.push(histogram);
  }
}
