import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { buildManifest } from '../../shared/model/build-manifest.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import { predictProbability, type GbdtModel } from '../training/gbdt-model.js';
import { trainGbdt } from '../training/gbdt.js';
import type { GbdtParams } from '../training/gbdt-params.js';
import { auc } from '../training/metrics.js';
import { exportGbdtToOnnx } from '../training/onnx-export.js';
import { searchGbdt, type SearchResult, type SearchTrial } from '../training/search.js';
import { calibrateAlarmPolicy, type CalibrationTrace } from './alarm-calibration.js';
import type { FeatureRun } from './run-features.js';
import { runMatrix, trainingRows, DEFAULT_ROW_SAMPLING } from './training-rows.js';

export interface TrainPipelineOptions {
  readonly runs: readonly FeatureRun[];
  /** Hyperparameter candidates tried by successive halving. */
  readonly trials: number;
  readonly folds: number;
  readonly seed: number;
  /** Trees of the final model (the search's last rung uses as many). */
  readonly nTrees: number;
  /** Worker threads for the search's fold fits (0: this thread); the model is the same either way. */
  readonly workers?: number;
  readonly dataSha256: string;
  readonly dataDescription: string;
  readonly createdAt?: Date;
  readonly logger?: Logger;
  /** Work done of the whole training, in trees fitted (the search's fold fits, then the final fit). */
  readonly onProgress?: (done: number, total: number, stage: 'search' | 'final fit') => void;
}

/** One hyperparameter trial, as the registry keeps experiments. */
export interface ExperimentRecord {
  readonly id: string;
  readonly params: GbdtParams;
  readonly metrics: { readonly logLoss: number; readonly rung: number; readonly seconds: number };
  readonly foldScores: readonly number[];
  readonly dataSha256: string;
}

export interface TrainedModel {
  readonly onnx: Uint8Array;
  readonly manifest: ModelManifest;
  readonly experiments: ExperimentRecord[];
  readonly gbdt: GbdtModel;
}

/**
 * Every run's whole trace predicted by the search winner's model of the fold
 * that held the run out: the traces the alarm thresholds are set from, at
 * no extra training cost.
 */
function outOfFoldTraces(
  runs: readonly FeatureRun[],
  groups: readonly string[],
  search: Pick<SearchResult, 'folds' | 'bestFoldModels'>,
): CalibrationTrace[] {
  const modelOfRun = new Map<string, GbdtModel>();
  search.folds.forEach((fold, f) => {
    const model = search.bestFoldModels[f];
    if (model === undefined) return;
    for (const row of fold.validationRows) modelOfRun.set(groups[row] ?? '', model);
  });
  return runs.flatMap((run) => {
    const model = modelOfRun.get(run.runId);
    if (model === undefined) return [];
    const p = predictProbability(model, runMatrix(run));
    return [{ runId: run.runId, fireRun: run.classKind === 'fire', ignitionS: run.ignitionS, t: run.t, p }];
  });
}

/**
 * From feature runs to a deployable model: row sampling with sensors
 * randomly removed, a group-wise hyperparameter search, out-of-fold traces
 * to set the alarm thresholds, a final fit, ONNX export and a manifest whose
 * reference inputs let every device test-run the model before using it.
 */
export async function trainPipeline(options: TrainPipelineOptions): Promise<TrainedModel> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'train' });
  const rows = trainingRows(options.runs, { ...DEFAULT_ROW_SAMPLING, seed: options.seed });
  logger.info({ runs: options.runs.length, rows: rows.set.features.rows }, 'training rows sampled');
  const trials: SearchTrial[] = [];
  let searchTotal = 0;
  const search = await searchGbdt({
    data: rows.set,
    groups: rows.groups,
    folds: options.folds,
    candidates: options.trials,
    baseParams: { nTrees: options.nTrees, seed: options.seed },
    seed: options.seed,
    workers: options.workers ?? 0,
    onProgress: (done, total) => {
      searchTotal = total;
      options.onProgress?.(done, total + options.nTrees, done < total ? 'search' : 'final fit');
    },
    onTrial: (trial) => {
      trials.push(trial);
      logger.info(
        { candidate: trial.candidate, rung: trial.rung, logLoss: trial.meanScore, seconds: trial.seconds },
        'trial',
      );
    },
  });
  const traces = outOfFoldTraces(options.runs, rows.groups, search);
  const calibration = calibrateAlarmPolicy(traces);
  logger.info(
    {
      policy: calibration.policy,
      quietPeak: calibration.quietPeak,
      quietSustainedPeak: calibration.quietSustainedPeak,
      quietPeakRun: calibration.quietPeakRun,
      quietSustainedPeakRun: calibration.quietSustainedPeakRun,
    },
    'alarm thresholds calibrated',
  );
  const { model } = trainGbdt(rows.set, search.bestParams);
  options.onProgress?.(searchTotal + options.nTrees, searchTotal + options.nTrees, 'final fit');
  const oofLabels = traces.flatMap((trace) =>
    Array.from(trace.t, (t) => (trace.fireRun && trace.ignitionS !== null && t >= trace.ignitionS ? 1 : 0)),
  );
  const oofScores = traces.flatMap((trace) => Array.from(trace.p));
  const onnxDraft = exportGbdtToOnnx(model, {
    emberwatchVersion: '0.1.0',
    featureNames: [...rows.featureNames],
  });
  const version = `gbdt-${createHash('sha256').update(onnxDraft).digest('hex').slice(0, 12)}`;
  const onnx = exportGbdtToOnnx(model, {
    emberwatchVersion: '0.1.0',
    featureNames: [...rows.featureNames],
    metadata: { 'emberwatch.model_version': version },
  });
  const reference = referenceVectors(options.runs);
  const manifest = await buildManifest({
    modelBytes: onnx,
    version,
    params: { ...search.bestParams },
    metrics: {
      cvLogLoss: search.bestScore,
      oofAuc: auc(oofLabels, oofScores),
      quietPeak: calibration.quietPeak,
      quietSustainedPeak: calibration.quietSustainedPeak,
      trainingRows: rows.set.features.rows,
      trainingRuns: options.runs.length,
    },
    alarm: calibration.policy,
    data: { sha256: options.dataSha256, runs: options.runs.length, description: options.dataDescription },
    referenceVectors: reference,
    createdAt: options.createdAt,
  });
  const experiments = trials.map((trial, i) => ({
    id: `${version}-trial-${String(i).padStart(3, '0')}`,
    params: trial.params,
    metrics: { logLoss: trial.meanScore, rung: trial.rung, seconds: trial.seconds },
    foldScores: trial.foldScores,
    dataSha256: options.dataSha256,
  }));
  return { onnx, manifest, experiments, gbdt: model };
}

/** A handful of real vectors, quiet and burning, with and without missing modules. */
function referenceVectors(runs: readonly FeatureRun[]): Float32Array[] {
  const picked: Float32Array[] = [];
  for (const run of runs.slice(0, 6)) {
    const at = [60, Math.floor(run.vectors.length / 2), run.vectors.length - 1];
    for (const i of at) {
      const vector = run.vectors[i];
      if (vector !== undefined) picked.push(vector);
    }
  }
  return picked;
}
