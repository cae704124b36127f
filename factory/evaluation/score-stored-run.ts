import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { readRun } from '../../shared/dataset/dataset-reader.js';
import { runFeatures } from '../pipeline/run-features.js';
import { evaluateRun, type RunOutcome } from './run-outcome.js';

/** Reads one validated run of a dataset and scores it. */
export async function scoreStoredRun(
  store: ObjectStore,
  runId: string,
  model: FireModel,
  policy: AlarmPolicy,
): Promise<RunOutcome> {
  const { trace } = await readRun(store, runId, 'validated');
  return evaluateRun(runFeatures(runId, trace), model, policy);
}
