import { EmberError } from '../../shared/errors.js';
import { binFeatures } from './binning.js';
import { trainGbdt } from './gbdt.js';
import { predictProbability } from './gbdt-model.js';
import { resolveGbdtParams, type GbdtParams, type GbdtParamsInput } from './gbdt-params.js';
import { groupKFold } from './group-folds.js';
import { logLossMetric, type Metric } from './metrics.js';
import { createPrng, deriveSeed } from './prng.js';
import { defaultSearchSpace, drawParams, type SearchSpace } from './search-space.js';
import { selectTrainingRows, type TrainingSet } from './training-set.js';

/** How to search the GBDT family. */
export interface SearchOptions {
  readonly data: TrainingSet;
  /** Run id per row; a run is never split across a fold boundary. */
  readonly groups: ArrayLike<string | number>;
  /** Number of group folds (default 3). */
  readonly folds?: number;
  readonly space?: SearchSpace;
  /** Fixed hyperparameters; nTrees here is the full budget of the last rung. */
  readonly baseParams?: GbdtParamsInput;
  /** Default: log loss. */
  readonly metric?: Metric;
  /** Configurations drawn (default 12). */
  readonly candidates?: number;
  /** 'successive-halving' (default) or 'random' (every candidate at full budget). */
  readonly strategy?: 'successive-halving' | 'random';
  /** Keep 1 in this many candidates per rung (default 3). */
  readonly halvingFactor?: number;
  readonly seed?: number;
  /** Called after each candidate finishes a rung, for progress or recording. */
  readonly onTrial?: (trial: SearchTrial) => void;
}

/** One candidate scored at one rung (budget) across all folds. */
export interface SearchTrial {
  readonly candidate: number;
  readonly rung: number;
  /** The params trained, nTrees already cut to the rung's budget. */
  readonly params: GbdtParams;
  readonly foldScores: readonly number[];
  /** Mean of the finite fold scores; NaN when none was finite (ranked last). */
  readonly meanScore: number;
  readonly seconds: number;
}

/** Every trial plus the winner of the last rung. */
export interface SearchResult {
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly trials: readonly SearchTrial[];
  readonly bestParams: GbdtParams;
  readonly bestScore: number;
}

/**
 * Successive halving over boosting rounds: every candidate is scored by
 * group cross-validation with a fraction of its trees; the best 1/eta go on
 * to eta times the trees, up to the full budget. Cheap early rungs favour
 * fast learners (high learning rates), the known price of the method.
 */
export function searchGbdt(options: SearchOptions): SearchResult {
  const seed = options.seed ?? 0;
  const metric = options.metric ?? logLossMetric;
  const eta = options.halvingFactor ?? 3;
  const count = options.candidates ?? 12;
  if (!Number.isInteger(count) || count < 1 || !(eta > 1)) {
    throw new EmberError(
      'EMBER_ERR_BAD_HYPERPARAMETERS',
      `search needs candidates >= 1 and halvingFactor > 1`,
    );
  }
  if (options.groups.length !== options.data.features.rows) {
    throw new EmberError(
      'EMBER_ERR_BAD_TRAINING_DATA',
      `${options.groups.length} groups for ${options.data.features.rows} rows`,
    );
  }
  const prng = createPrng(seed);
  const space = options.space ?? defaultSearchSpace;
  const candidates = Array.from({ length: count }, () =>
    resolveGbdtParams({ seed, ...options.baseParams, ...drawParams(space, prng) }),
  );
  const folds = groupKFold(options.groups, options.folds ?? 3, deriveSeed(seed, 1));
  const rungs = options.strategy === 'random' ? 1 : Math.floor(Math.log(count) / Math.log(eta) + 1e-9) + 1;
  const maxBins = resolveGbdtParams(options.baseParams).maxBins;

  const trials: SearchTrial[] = [];
  let alive = candidates.map((_, i) => i);
  let lastRung: SearchTrial[] = [];
  for (let rung = 0; rung < rungs; rung++) {
    const share = eta ** -(rungs - 1 - rung);
    const params = alive.map((c) => {
      const base = candidates[c] ?? resolveGbdtParams();
      return { ...base, maxBins, nTrees: Math.max(1, Math.round(base.nTrees * share)) };
    });
    const scores = alive.map(() => [] as number[]);
    const seconds = alive.map(() => 0);
    for (const fold of folds) {
      const train = selectTrainingRows(options.data, fold.trainRows);
      const validation = selectTrainingRows(options.data, fold.validationRows);
      const binned = binFeatures(train.features, maxBins, seed);
      params.forEach((p, i) => {
        const started = performance.now();
        const { model } = trainGbdt(train, p, { binned });
        const probabilities = predictProbability(model, validation.features);
        scores[i]?.push(metric.score(validation.labels, probabilities, validation.weights));
        seconds[i] = (seconds[i] ?? 0) + (performance.now() - started) / 1000;
      });
    }
    lastRung = alive.map((candidate, i) => ({
      candidate,
      rung,
      params: params[i] ?? resolveGbdtParams(),
      foldScores: scores[i] ?? [],
      meanScore: finiteMean(scores[i] ?? []),
      seconds: seconds[i] ?? 0,
    }));
    for (const trial of lastRung) {
      trials.push(trial);
      options.onTrial?.(trial);
    }
    const ranked = [...lastRung].sort((a, b) =>
      compareScores(a.meanScore, b.meanScore, metric.higherIsBetter),
    );
    alive = ranked.slice(0, Math.max(1, Math.floor(ranked.length / eta))).map((t) => t.candidate);
  }
  const best = [...lastRung].sort((a, b) =>
    compareScores(a.meanScore, b.meanScore, metric.higherIsBetter),
  )[0];
  if (best === undefined) throw new EmberError('EMBER_ERR_BAD_HYPERPARAMETERS', 'search ran no trials');
  return {
    metric: metric.name,
    higherIsBetter: metric.higherIsBetter,
    trials,
    bestParams: best.params,
    bestScore: best.meanScore,
  };
}

/** Better first; NaN last; ties keep their order (sort is stable). */
function compareScores(a: number, b: number, higherIsBetter: boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return higherIsBetter ? b - a : a - b;
}

function finiteMean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : finite.reduce((sum, v) => sum + v, 0) / finite.length;
}
