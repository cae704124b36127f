import { EmberError } from '../../shared/errors.js';
import { binFeatures, type BinnedFeatures } from './binning.js';
import { trainGbdt } from './gbdt.js';
import { predictProbability, type GbdtModel } from './gbdt-model.js';
import type { GbdtParams } from './gbdt-params.js';
import type { Fold } from './group-folds.js';
import { aucMetric, logLossMetric, type Metric } from './metrics.js';
import { selectTrainingRows, type TrainingSet } from './training-set.js';

/** One cross-validation fit: a candidate's params trained on one fold and scored on its validation rows. */
export interface FoldJob {
  readonly fold: number;
  readonly params: GbdtParams;
  /** Send the trained model back (the last rung keeps its models for out-of-fold predictions). */
  readonly keepModel: boolean;
}

export interface FoldFit {
  readonly score: number;
  readonly seconds: number;
  readonly model?: GbdtModel;
}

/** Runs fold fits, in this thread or on worker threads; results never depend on which. */
export interface FoldFitter {
  fit(job: FoldJob): Promise<FoldFit>;
  close(): Promise<void>;
}

/** Everything a fold fit needs, whichever thread runs it. */
export interface FoldProblem {
  readonly data: TrainingSet;
  readonly folds: readonly Fold[];
  readonly maxBins: number;
  /** Seeds the quantile sample of the bins. */
  readonly seed: number;
  readonly metric: Metric;
}

/** Metrics a worker can be told about by name. */
export function metricNamed(name: string): Metric {
  const metric = [logLossMetric, aucMetric].find((m) => m.name === name);
  if (metric === undefined) throw new EmberError('EMBER_ERR_BAD_HYPERPARAMETERS', `unknown metric ${name}`);
  return metric;
}

interface PreparedFold {
  readonly fold: number;
  readonly train: TrainingSet;
  readonly validation: TrainingSet;
  readonly binned: BinnedFeatures;
}

/**
 * Fits in the calling thread. It keeps the rows and bins of the fold it
 * used last: jobs come fold by fold, so each fold is selected and binned
 * once per rung while memory holds one fold, not all of them.
 */
export class InThreadFoldFitter implements FoldFitter {
  readonly #problem: FoldProblem;
  #prepared: PreparedFold | undefined;

  constructor(problem: FoldProblem) {
    this.#problem = problem;
  }

  fit(job: FoldJob): Promise<FoldFit> {
    return Promise.resolve(this.fitNow(job));
  }

  fitNow(job: FoldJob): FoldFit {
    const { train, validation, binned } = this.#prepare(job.fold);
    const started = performance.now();
    const { model } = trainGbdt(train, job.params, { binned });
    const probabilities = predictProbability(model, validation.features);
    const score = this.#problem.metric.score(validation.labels, probabilities, validation.weights);
    const seconds = (performance.now() - started) / 1000;
    return job.keepModel ? { score, seconds, model } : { score, seconds };
  }

  close(): Promise<void> {
    this.#prepared = undefined;
    return Promise.resolve();
  }

  #prepare(fold: number): PreparedFold {
    if (this.#prepared?.fold === fold) return this.#prepared;
    const rows = this.#problem.folds[fold];
    if (rows === undefined) throw new EmberError('EMBER_ERR_BAD_TRAINING_DATA', `no fold ${fold}`);
    this.#prepared = undefined; // let the last fold go before the next is built
    const train = selectTrainingRows(this.#problem.data, rows.trainRows);
    const validation = selectTrainingRows(this.#problem.data, rows.validationRows);
    const binned = binFeatures(train.features, this.#problem.maxBins, this.#problem.seed);
    this.#prepared = { fold, train, validation, binned };
    return this.#prepared;
  }
}
