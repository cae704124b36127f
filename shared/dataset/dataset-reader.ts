import { EmberError } from '../../shared/errors.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import {
  decodeRunFiles,
  RUN_FILE_KINDS,
  runFileKey,
  type RunFileKind,
  type RunMeta,
} from '../../shared/dataset/run-files.js';

export type DatasetStage = 'raw' | 'validated';

/** Ids of the runs stored in `stage`, in index order. */
export async function listRunIds(store: ObjectStore, stage: DatasetStage = 'validated'): Promise<string[]> {
  const keys = await store.list(`${stage}/labels/`);
  return keys.map((key) => key.slice(`${stage}/labels/`.length).replace(/\.json$/, '')).sort();
}

/** Reads the bytes of every file of one run (the PNG preview excepted). */
export async function readRunFiles(
  store: ObjectStore,
  runId: string,
  stage: DatasetStage = 'validated',
): Promise<Map<RunFileKind, Uint8Array>> {
  const kinds = RUN_FILE_KINDS.filter((kind) => kind !== 'preview');
  const bodies = await Promise.all(kinds.map((kind) => store.get(runFileKey(stage, kind, runId))));
  return new Map(kinds.map((kind, i) => [kind, bodies[i] ?? new Uint8Array()]));
}

/** Loads one run of a dataset back into the trace it was generated from. */
export async function readRun(
  store: ObjectStore,
  runId: string,
  stage: DatasetStage = 'validated',
): Promise<{ meta: RunMeta; trace: RunTrace }> {
  try {
    return decodeRunFiles(await readRunFiles(store, runId, stage));
  } catch (error) {
    if (error instanceof EmberError && error.code === 'EMBER_ERR_STORE_NOT_FOUND') {
      throw new EmberError('EMBER_ERR_BAD_RUN', `run ${runId} is not in ${store.describe()} (${stage})`, {
        cause: error,
      });
    }
    throw error;
  }
}
