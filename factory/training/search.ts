import { EmberError } from '../../shared/errors.js';
import { InThreadFoldFitter, type FoldFit, type FoldFitter, type FoldProblem } from './fold-fitter.js';
import { WorkerFoldFitter } from './fold-worker-pool.js';
import type { GbdtModel } from './gbdt-model.js';
import { resolveGbdtParams, type GbdtParams, type GbdtParamsInput } from './gbdt-params.js';
import { groupKFold, type Fold } from './group-folds.js';
import { logLossMetric, type Metric } from './metrics.js';
import { createPrng, deriveSeed } from './prng.js';
import { defaultSearchSpace, drawParams, type SearchSpace } from './search-space.js';
import type { TrainingSet } from './training-set.js';

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
  /**
   * Called after each fold fit with the work done and the whole search's
   * work, in trees fitted at the base budget (a rung's share of it per fit).
   */
  readonly onProgress?: (done: number, total: number) => void;
  /** Worker threads for the fold fits (default 0: this thread). The result is the same either way. */
  readonly workers?: number;
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
  /** The folds every candidate was scored on. */
  readonly folds: readonly Fold[];
  /** The winner's model of each fold (same order as `folds`): out-of-fold predictions for free. */
  readonly bestFoldModels: readonly GbdtModel[];
}

/**
 * Successive halving over boosting rounds: every candidate is scored by
 * group cross-validation with a fraction of its trees; the best 1/eta go on
 * to eta times the trees, up to the full budget. Cheap early rungs favour
 * fast learners (high learning rates), the known price of the method.
 */
export async function searchGbdt(options: SearchOptions): Promise<SearchResult> {
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
  const problem: FoldProblem = { data: options.data, folds, maxBins, seed, metric };
  const workers = options.workers ?? 0;
  const fitter: FoldFitter =
    workers > 0 ? new WorkerFoldFitter(problem, workers) : new InThreadFoldFitter(problem);

  const shareOf = (rung: number): number => eta ** -(rungs - 1 - rung);
  const trees = resolveGbdtParams(options.baseParams).nTrees;
  let total = 0;
  for (let rung = 0, n = count; rung < rungs; rung++, n = Math.max(1, Math.floor(n / eta))) {
    total += n * folds.length * Math.max(1, Math.round(trees * shareOf(rung)));
  }
  let done = 0;
  const progress = (work: number): void => {
    done = Math.min(total, done + work);
    options.onProgress?.(done, total);
  };

  const trials: SearchTrial[] = [];
  let alive = candidates.map((_, i) => i);
  let lastRung: SearchTrial[] = [];
  let lastFits: FoldFit[][] = [];
  try {
    for (let rung = 0; rung < rungs; rung++) {
      const share = shareOf(rung);
      const work = Math.max(1, Math.round(trees * share));
      const keepModel = rung === rungs - 1;
      const params = alive.map((c) => {
        const base = candidates[c] ?? resolveGbdtParams();
        return { ...base, maxBins, nTrees: Math.max(1, Math.round(base.nTrees * share)) };
      });
      // Fold by fold, so a thread selects and bins each fold once per rung.
      const pending = folds.map((_, fold) =>
        params.map((p) =>
          fitter.fit({ fold, params: p, keepModel }).then((fit) => {
            progress(work);
            return fit;
          }),
        ),
      );
      const byFold = await Promise.all(pending.map((fits) => Promise.all(fits)));
      lastFits = params.map((_, i) => byFold.map((fits) => fits[i] ?? { score: Number.NaN, seconds: 0 }));
      lastRung = alive.map((candidate, i) => {
        const fits = lastFits[i] ?? [];
        const foldScores = fits.map((fit) => fit.score);
        return {
          candidate,
          rung,
          params: params[i] ?? resolveGbdtParams(),
          foldScores,
          meanScore: finiteMean(foldScores),
          seconds: fits.reduce((sum, fit) => sum + fit.seconds, 0),
        };
      });
      for (const trial of lastRung) {
        trials.push(trial);
        options.onTrial?.(trial);
      }
      const ranked = [...lastRung].sort((a, b) =>
        compareScores(a.meanScore, b.meanScore, metric.higherIsBetter),
      );
      alive = ranked.slice(0, Math.max(1, Math.floor(ranked.length / eta))).map((t) => t.candidate);
    }
  } finally {
    await fitter.close();
  }
  const bestAt = rankFirst(lastRung, metric.higherIsBetter);
  const best = lastRung[bestAt];
  if (best === undefined) throw new EmberError('EMBER_ERR_BAD_HYPERPARAMETERS', 'search ran no trials');
  const bestFoldModels = (lastFits[bestAt] ?? []).map((fit) => {
    if (fit.model === undefined)
      throw new EmberError('EMBER_ERR_BAD_TRAINING_DATA', 'a fold model is missing');
    return fit.model;
  });
  return {
    metric: metric.name,
    higherIsBetter: metric.higherIsBetter,
    trials,
    bestParams: best.params,
    bestScore: best.meanScore,
    folds,
    bestFoldModels,
  };
}

/** Index of the best trial (the first of equals). */
function rankFirst(trials: readonly SearchTrial[], higherIsBetter: boolean): number {
  let best = 0;
  for (let i = 1; i < trials.length; i++) {
    const a = trials[i]?.meanScore ?? Number.NaN;
    const b = trials[best]?.meanScore ?? Number.NaN;
    if (compareScores(a, b, higherIsBetter) < 0) best = i;
  }
  return best;
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
