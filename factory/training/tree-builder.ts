import type { BinnedFeatures } from './binning.js';
import type { GbdtParams } from './gbdt-params.js';
import type { Tree, TreeNode } from './gbdt-model.js';
import { buildHistogram, subtractHistogram, type HistogramPool, type NodeTotals } from './histogram.js';
import { findBestSplit, type SplitChoice } from './split-finder.js';
import type { TreeSample } from './tree-sample.js';

/** Everything one tree is grown from; buffers are owned by the caller and reused across trees. */
export interface TreeGrowthInput {
  readonly binned: BinnedFeatures;
  readonly sample: TreeSample;
  /** At least sample.rows long; rearranged in place. */
  readonly index: Uint32Array;
  /** Scratch space as long as `index`. */
  readonly scratch: Uint32Array;
  readonly params: GbdtParams;
  /** Its layout must be (sample.features.length columns, binned.maxBins + 1 slots). */
  readonly pool: HistogramPool;
}

/** A grown tree plus each split's bin threshold, for walking binned training rows. */
export interface GrownTree {
  readonly tree: Tree;
  /** Per node: the split bin (rows with bin <= it go left), or -1 for a leaf. */
  readonly splitBins: Int32Array;
}

/** Grows one regression tree on gradients/hessians, depth-first, with histogram subtraction. */
export function growTree(input: TreeGrowthInput): GrownTree {
  const { params, pool, sample, index, binned } = input;
  const nodes: TreeNode[] = [];
  const splitBins: number[] = [];
  const cutCounts = Array.from(sample.features, (f) => binned.cuts[f]?.length ?? 0);
  const slots = pool.layout.slots;

  const totals: NodeTotals = { grad: 0, hess: 0, count: sample.rows };
  for (let i = 0; i < sample.rows; i++) {
    index[i] = i;
    totals.grad += sample.grad[i] ?? 0;
    totals.hess += sample.hess[i] ?? 0;
  }

  const canSplit = (count: number, depth: number): boolean =>
    depth < params.maxDepth && count >= 2 * params.minSamplesLeaf;

  const histogramOf = (start: number, end: number): Float64Array => {
    const histogram = pool.acquire();
    buildHistogram(histogram, sample, slots, index, start, end);
    return histogram;
  };

  const grow = (
    histogram: Float64Array | undefined,
    start: number,
    end: number,
    node: NodeTotals,
    depth: number,
  ): number => {
    const at = nodes.length;
    nodes.push({ kind: 'leaf', value: leafValue(node, params) });
    splitBins.push(-1);
    if (histogram === undefined) return at;
    const split = findBestSplit(histogram, pool.layout, cutCounts, node, params);
    if (split === undefined) {
      pool.release(histogram);
      return at;
    }
    const mid = partition(input, start, end, split);
    const leftNeeds = canSplit(split.left.count, depth + 1);
    const rightNeeds = canSplit(split.right.count, depth + 1);
    let leftHistogram: Float64Array | undefined;
    let rightHistogram: Float64Array | undefined;
    if (leftNeeds || rightNeeds) {
      // Sum only the smaller child from rows; the larger is parent minus it.
      const leftSmaller = mid - start <= end - mid;
      const small = leftSmaller ? histogramOf(start, mid) : histogramOf(mid, end);
      subtractHistogram(histogram, small);
      [leftHistogram, rightHistogram] = leftSmaller ? [small, histogram] : [histogram, small];
      if (!leftNeeds) pool.release(leftHistogram);
      if (!rightNeeds) pool.release(rightHistogram);
    } else {
      pool.release(histogram);
    }
    const left = grow(leftNeeds ? leftHistogram : undefined, start, mid, split.left, depth + 1);
    const right = grow(rightNeeds ? rightHistogram : undefined, mid, end, split.right, depth + 1);
    const feature = sample.features[split.column] ?? 0;
    const threshold = binned.cuts[feature]?.[split.bin] ?? Number.NaN;
    nodes[at] = { kind: 'split', feature, threshold, left, right, missingGoesLeft: split.missingGoesLeft };
    splitBins[at] = split.bin;
    return at;
  };

  grow(canSplit(sample.rows, 0) ? histogramOf(0, sample.rows) : undefined, 0, sample.rows, totals, 0);
  return { tree: { nodes }, splitBins: Int32Array.from(splitBins) };
}

/** Newton step -G / (H + lambda), shrunk by the learning rate and rounded to float32 for export parity. */
function leafValue(node: NodeTotals, params: GbdtParams): number {
  const denominator = node.hess + params.lambda;
  return denominator > 0 ? Math.fround((-node.grad / denominator) * params.learningRate) : 0;
}

/** Stable in-place partition of index[start, end) by a split; returns where the right side begins. */
function partition(input: TreeGrowthInput, start: number, end: number, split: SplitChoice): number {
  const { index, scratch, sample } = input;
  const width = sample.features.length;
  const missingBin = input.binned.maxBins;
  let leftEnd = start;
  let rightCount = 0;
  for (let i = start; i < end; i++) {
    const r = index[i] ?? 0;
    const bin = sample.bins[r * width + split.column] ?? 0;
    const goLeft = bin === missingBin ? split.missingGoesLeft : bin <= split.bin;
    // Write both ways and advance one: the side is a coin flip, so a branch would mispredict half the time.
    const left = goLeft ? 1 : 0;
    index[leftEnd] = r;
    scratch[rightCount] = r;
    leftEnd += left;
    rightCount += 1 - left;
  }
  index.set(scratch.subarray(0, rightCount), leftEnd);
  return leftEnd;
}

/** Adds each training row's leaf value to `margins`, walking the tree over binned rows. */
export function addGrownTreeToMargins(grown: GrownTree, binned: BinnedFeatures, margins: Float64Array): void {
  const { nodes } = grown.tree;
  const { bins, rows, cols, maxBins } = binned;
  for (let r = 0; r < rows; r++) {
    let at = 0;
    for (;;) {
      const node = nodes[at];
      if (node === undefined) break;
      if (node.kind === 'leaf') {
        margins[r] = (margins[r] ?? 0) + node.value;
        break;
      }
      const bin = bins[r * cols + node.feature] ?? 0;
      const goLeft = bin === maxBins ? node.missingGoesLeft : bin <= (grown.splitBins[at] ?? 0);
      at = goLeft ? node.left : node.right;
    }
  }
}
