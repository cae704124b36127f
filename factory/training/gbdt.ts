import { EmberError } from '../../shared/errors.js';
import { binFeatures, type BinnedFeatures } from './binning.js';
import { addGrownTreeToMargins, growTree } from './tree-builder.js';
import { allocateSampleBuffers, packTreeSample } from './tree-sample.js';
import { addTreeToMargins, sigmoid, type GbdtModel, type Tree } from './gbdt-model.js';
import { resolveGbdtParams, type GbdtParams, type GbdtParamsInput } from './gbdt-params.js';
import { HistogramPool } from './histogram.js';
import { logLoss } from './metrics.js';
import { createPrng, deriveSeed, sampleSortedIndices, type Prng } from './prng.js';
import { assertValidTrainingSet, type TrainingSet } from './training-set.js';

/** Extra inputs to training besides data and hyperparameters. */
export interface TrainOptions {
  /** Held-out rows scored each round; needed for early stopping. */
  readonly validation?: TrainingSet;
  /** Bins precomputed for exactly this training matrix (with params.maxBins), to share across trials. */
  readonly binned?: BinnedFeatures;
}

/** A trained model and how training went. */
export interface TrainResult {
  readonly model: GbdtModel;
  readonly params: GbdtParams;
  /** Weighted log loss on the validation set after each round (empty without one). */
  readonly validationLoss: readonly number[];
  /** The round with the lowest validation loss (the tree count without a validation set); with early stopping the model keeps exactly this many trees. */
  readonly bestIteration: number;
}

/**
 * Trains gradient-boosted trees for binary classification with logistic
 * loss. Deterministic for given data and params (including params.seed).
 */
export function trainGbdt(
  data: TrainingSet,
  paramsInput: GbdtParamsInput = {},
  options: TrainOptions = {},
): TrainResult {
  const params = resolveGbdtParams(paramsInput);
  assertValidTrainingSet(data);
  const { validation } = options;
  if (validation !== undefined) {
    assertValidTrainingSet(validation, 'validation set');
    if (validation.features.cols !== data.features.cols) {
      throw new EmberError('EMBER_ERR_BAD_TRAINING_DATA', 'validation set has a different feature count');
    }
  }
  if (params.earlyStoppingRounds !== undefined && validation === undefined) {
    throw new EmberError('EMBER_ERR_BAD_HYPERPARAMETERS', 'earlyStoppingRounds needs a validation set');
  }
  const binned = options.binned ?? binFeatures(data.features, params.maxBins, params.seed);
  if (
    binned.rows !== data.features.rows ||
    binned.cols !== data.features.cols ||
    binned.maxBins !== params.maxBins
  ) {
    throw new EmberError('EMBER_ERR_BAD_TRAINING_DATA', 'precomputed bins do not match the data or maxBins');
  }

  const n = data.features.rows;
  const cols = data.features.cols;
  const labels = Float64Array.from({ length: n }, (_, i) => data.labels[i] ?? 0);
  const weights = Float64Array.from({ length: n }, (_, i) => data.weights?.[i] ?? 1);
  const baseScore = initialLogOdds(labels, weights);
  const margins = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const sourceRows = new Uint32Array(n);
  const index = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const featureCount = Math.max(1, Math.round(params.colsample * cols));
  const allFeatures = Uint32Array.from({ length: cols }, (_, f) => f);
  const buffers = allocateSampleBuffers(n, featureCount);
  const pool = new HistogramPool({ columns: featureCount, slots: params.maxBins + 1 });

  const validationMargins =
    validation === undefined ? undefined : new Float64Array(validation.features.rows).fill(baseScore);
  const validationLoss: number[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestIteration = 0;
  const trees: Tree[] = [];

  for (let t = 0; t < params.nTrees; t++) {
    const prng = createPrng(deriveSeed(params.seed, t));
    computeGradients(margins, labels, weights, grad, hess);
    const rowCount = sampleRows(sourceRows, n, params.subsample, prng);
    const features = featureCount === cols ? allFeatures : sampleSortedIndices(cols, featureCount, prng);
    const sample = packTreeSample(binned, grad, hess, sourceRows, rowCount, features, buffers);
    const grown = growTree({ binned, sample, index, scratch, params, pool });
    addGrownTreeToMargins(grown, binned, margins);
    trees.push(grown.tree);

    if (validation === undefined || validationMargins === undefined) continue;
    addTreeToMargins(grown.tree, validation.features, validationMargins);
    const loss = logLoss(validation.labels, validationMargins.map(sigmoid), validation.weights);
    validationLoss.push(loss);
    if (loss < bestLoss) {
      bestLoss = loss;
      bestIteration = t + 1;
    } else if (
      params.earlyStoppingRounds !== undefined &&
      t + 1 - bestIteration >= params.earlyStoppingRounds
    ) {
      break;
    }
  }

  const kept = params.earlyStoppingRounds === undefined ? trees.length : bestIteration;
  if (validation === undefined) bestIteration = trees.length;
  const model: GbdtModel = {
    format: 'emberwatch-gbdt',
    formatVersion: 1,
    objective: 'binary-logistic',
    nFeatures: cols,
    baseScore,
    trees: trees.slice(0, kept),
  };
  return { model, params, validationLoss, bestIteration };
}

/** Log-odds of the weighted positive rate, float32 so the exported model starts from the same value. */
function initialLogOdds(labels: Float64Array, weights: Float64Array): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = weights[i] ?? 0;
    positive += w * (labels[i] ?? 0);
    total += w;
  }
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, total > 0 ? positive / total : 0.5));
  return Math.fround(Math.log(rate / (1 - rate)));
}

function computeGradients(
  margins: Float64Array,
  labels: Float64Array,
  weights: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
): void {
  for (let i = 0; i < margins.length; i++) {
    const p = sigmoid(margins[i] ?? 0);
    const w = weights[i] ?? 0;
    grad[i] = w * (p - (labels[i] ?? 0));
    hess[i] = w * p * (1 - p);
  }
}

/** Fills rows with a Bernoulli sample (ascending) and returns how many were drawn. */
function sampleRows(rows: Uint32Array, n: number, fraction: number, prng: Prng): number {
  let count = 0;
  for (let r = 0; r < n; r++) if (fraction >= 1 || prng.next() < fraction) rows[count++] = r;
  return count;
}
