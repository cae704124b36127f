/**
 * Binary-classification metrics. Labels are 0/1, scores are probabilities
 * (AUC accepts any monotone score), weights default to 1.
 */

/** Smallest probability log loss is evaluated at, so one confident mistake costs a finite amount. */
export const PROBABILITY_FLOOR = 1e-15;

/**
 * Area under the ROC curve, weighted, with tied scores counted as half
 * right. NaN when only one class is present, since the area is undefined then.
 */
export function auc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const order = Uint32Array.from({ length: labels.length }, (_, i) => i).sort(
    (a, b) => (scores[a] ?? 0) - (scores[b] ?? 0),
  );
  let area = 0;
  let negativesBelow = 0;
  let positivesTotal = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] ?? 0] ?? 0;
    let positives = 0;
    let negatives = 0;
    for (; i < order.length && (scores[order[i] ?? 0] ?? 0) === score; i++) {
      const row = order[i] ?? 0;
      const w = weights?.[row] ?? 1;
      if ((labels[row] ?? 0) === 1) positives += w;
      else negatives += w;
    }
    area += positives * (negativesBelow + negatives / 2);
    negativesBelow += negatives;
    positivesTotal += positives;
  }
  const pairs = positivesTotal * negativesBelow;
  return pairs > 0 ? area / pairs : Number.NaN;
}

/** Weighted mean negative log-likelihood; probabilities are clamped to [1e-15, 1 - 1e-15]. */
export function logLoss(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, probabilities[i] ?? 0.5));
    const w = weights?.[i] ?? 1;
    loss -= w * ((labels[i] ?? 0) === 1 ? Math.log(p) : Math.log(1 - p));
    total += w;
  }
  return total > 0 ? loss / total : Number.NaN;
}

/** Counts and rates of a classifier that says "fire" when probability >= threshold. */
export interface ThresholdReport {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  readonly accuracy: number;
  /** 0 when nothing was called positive. */
  readonly precision: number;
  /** 0 when there were no positives. */
  readonly recall: number;
}

/** Weighted confusion counts, accuracy, precision and recall at a threshold. */
export function thresholdReport(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  threshold = 0.5,
  weights?: ArrayLike<number>,
): ThresholdReport {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = weights?.[i] ?? 1;
    const predicted = (probabilities[i] ?? 0) >= threshold;
    const actual = (labels[i] ?? 0) === 1;
    if (predicted && actual) tp += w;
    else if (predicted) fp += w;
    else if (actual) fn += w;
    else tn += w;
  }
  const total = tp + fp + tn + fn;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    accuracy: total > 0 ? (tp + tn) / total : 0,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
  };
}

/** A score to rank models by; search uses it through this interface only. */
export interface Metric {
  readonly name: string;
  readonly higherIsBetter: boolean;
  score(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: ArrayLike<number>): number;
}

/** AUC as a search metric. */
export const aucMetric: Metric = { name: 'auc', higherIsBetter: true, score: auc };

/** Log loss as a search metric. */
export const logLossMetric: Metric = { name: 'logLoss', higherIsBetter: false, score: logLoss };
