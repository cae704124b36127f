import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { RunClass } from './run-labels.js';
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

const ListedRun = z.object({
  runId: z.string(),
  template: z.string(),
  labels: z.object({ class: RunClass }),
});

/** A run of a dataset as a listing shows it. */
export interface RunListing {
  readonly runId: string;
  readonly template: string;
  /** `fire (flaming)`, `nuisance (toast)` or `normal`. */
  readonly kind: string;
}

/** Every run of `stage` with its template and class, from the labels files alone. */
export async function listRuns(store: ObjectStore, stage: DatasetStage = 'validated'): Promise<RunListing[]> {
  const ids = await listRunIds(store, stage);
  const listings: RunListing[] = [];
  for (const runId of ids) {
    const body = await store.get(runFileKey(stage, 'labels', runId));
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      json = undefined;
    }
    const parsed = ListedRun.safeParse(json);
    if (!parsed.success) {
      throw new EmberError('EMBER_ERR_BAD_RUN', `run ${runId} in ${store.describe()} has unreadable labels`);
    }
    const c = parsed.data.labels.class;
    const kind =
      c.kind === 'fire'
        ? `fire (${c.fire_class})`
        : c.kind === 'nuisance'
          ? `nuisance (${c.nuisance})`
          : 'normal';
    listings.push({ runId, template: parsed.data.template, kind });
  }
  return listings;
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
