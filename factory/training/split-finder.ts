import { SLOT_WIDTH, type HistogramLayout, type NodeTotals } from './histogram.js';

/** The limits a split must respect (a subset of the hyperparameters). */
export interface SplitConstraints {
  readonly lambda: number;
  readonly minSamplesLeaf: number;
  readonly minChildWeight: number;
  readonly minSplitGain: number;
}

/** The best split of a node: rows with bin <= `bin` in sample column `column` go left, missing rows as learned. */
export interface SplitChoice {
  readonly column: number;
  readonly bin: number;
  readonly gain: number;
  readonly missingGoesLeft: boolean;
  readonly left: NodeTotals;
  readonly right: NodeTotals;
}

/** Loss reduction below this counts as none, so float noise never buys a split. */
const GAIN_EPSILON = 1e-12;

/**
 * Scans every candidate threshold of every histogram column, trying missing
 * rows on each side, and returns the split with the largest gain, or
 * undefined when none beats minSplitGain within the constraints. When a
 * node has no missing rows the default direction goes to the side with more
 * hessian, where an unseen NaN is most likely to belong by mass.
 */
export function findBestSplit(
  histogram: Float64Array,
  layout: HistogramLayout,
  /** Cut count of each histogram column's feature: bins 0 .. count - 1 can end a left side. */
  cutCounts: ArrayLike<number>,
  totals: NodeTotals,
  constraints: SplitConstraints,
): SplitChoice | undefined {
  const { lambda, minSamplesLeaf, minChildWeight } = constraints;
  const parentScore = (totals.grad * totals.grad) / (totals.hess + lambda);
  let best: SplitChoice | undefined;
  let bestGain = Math.max(constraints.minSplitGain, GAIN_EPSILON);

  const consider = (
    column: number,
    bin: number,
    missingGoesLeft: boolean,
    gl: number,
    hl: number,
    cl: number,
  ): void => {
    const gr = totals.grad - gl;
    const hr = totals.hess - hl;
    const cr = totals.count - cl;
    if (cl < minSamplesLeaf || cr < minSamplesLeaf || hl < minChildWeight || hr < minChildWeight) return;
    const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
    if (gain <= bestGain) return;
    bestGain = gain;
    best = {
      column,
      bin,
      gain,
      missingGoesLeft,
      left: { grad: gl, hess: hl, count: cl },
      right: { grad: gr, hess: hr, count: cr },
    };
  };

  for (let f = 0; f < layout.columns; f++) {
    const base = f * layout.slots * SLOT_WIDTH;
    const missing = base + (layout.slots - 1) * SLOT_WIDTH;
    const gm = histogram[missing] ?? 0;
    const hm = histogram[missing + 1] ?? 0;
    const cm = histogram[missing + 2] ?? 0;
    const lastSplitBin = (cutCounts[f] ?? 0) - 1;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b <= lastSplitBin; b++) {
      const slot = base + b * SLOT_WIDTH;
      gl += histogram[slot] ?? 0;
      hl += histogram[slot + 1] ?? 0;
      cl += histogram[slot + 2] ?? 0;
      if (cm > 0) {
        consider(f, b, false, gl, hl, cl);
        consider(f, b, true, gl + gm, hl + hm, cl + cm);
      } else {
        consider(f, b, 2 * hl >= totals.hess, gl, hl, cl);
      }
    }
  }
  return best;
}
