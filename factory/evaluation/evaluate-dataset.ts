import { z } from 'zod';
import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { openObjectStore, type ObjectStore } from '../../shared/object-store/index.js';
import { listRunIds } from '../../shared/dataset/dataset-reader.js';
import { scoreRunsInWorkers } from './evaluate-pool.js';
import { openEvaluationModel } from './evaluation-model.js';
import type { RunOutcome } from './run-outcome.js';
import { scoreStoredRun } from './score-stored-run.js';

export interface EvaluateDatasetOptions {
  /** The dataset: a folder or s3:// URL. */
  readonly data: string;
  /** `rules` or a model folder. */
  readonly model: string;
  /** Worker threads; 0 scores in this thread. */
  readonly workers: number;
  readonly onRun?: () => void;
}

/** Every validated run of a dataset scored by one model. */
export interface DatasetEvaluation {
  readonly modelVersion: string;
  readonly modelDir: string | undefined;
  readonly policy: AlarmPolicy;
  readonly outcomes: RunOutcome[];
  /** Where the runs came from, in words, for the summary's `heldOutSeeds`. */
  readonly heldOutSeeds: string;
  /** Seconds of runs scored per second of wall-clock time. */
  readonly speedup: number;
}

const DatasetManifest = z.object({ seed: z.number().int() });

/** "dataset seed S" from the dataset's manifest.json, when it has one. */
async function describeSeeds(store: ObjectStore, runs: number): Promise<string> {
  let seed: string | undefined;
  try {
    const bytes = await store.get('manifest.json');
    const parsed = DatasetManifest.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    if (parsed.success) seed = String(parsed.data.seed);
  } catch (error) {
    if (!isEmberError(error, 'EMBER_ERR_STORE_NOT_FOUND') && !(error instanceof SyntaxError)) throw error;
  }
  const where = `${String(runs)} validated runs of ${store.describe()}`;
  return seed === undefined ? where : `dataset seed ${seed}: ${where}`;
}

/**
 * Scores every validated run of a dataset with one model, in worker threads
 * when asked. The model is opened here first so that a bad model fails
 * before any worker starts.
 */
export async function evaluateDataset(options: EvaluateDatasetOptions): Promise<DatasetEvaluation> {
  const started = performance.now();
  const store = openObjectStore(options.data);
  const { model, policy, dir } = await openEvaluationModel(options.model);
  try {
    const runIds = await listRunIds(store, 'validated');
    if (runIds.length === 0) {
      throw new EmberError('EMBER_ERR_EVALUATION', `${store.describe()} has no validated runs`);
    }
    const onRun = options.onRun ?? (() => undefined);
    let outcomes: RunOutcome[];
    if (options.workers > 0 && runIds.length > 1) {
      outcomes = await scoreRunsInWorkers(
        { data: options.data, model: options.model },
        runIds,
        options.workers,
        onRun,
      );
    } else {
      outcomes = [];
      for (const runId of runIds) {
        outcomes.push(await scoreStoredRun(store, runId, model, policy));
        onRun();
      }
    }
    const runSeconds = outcomes.reduce((sum, o) => sum + o.durationS, 0);
    const wallSeconds = Math.max(1e-3, (performance.now() - started) / 1000);
    return {
      modelVersion: model.version,
      modelDir: dir,
      policy,
      outcomes,
      heldOutSeeds: await describeSeeds(store, runIds.length),
      speedup: runSeconds / wallSeconds,
    };
  } finally {
    await model.close();
    await store.close();
  }
}
