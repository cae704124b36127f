import { EmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { readRun, type DatasetStage } from '../../shared/dataset/dataset-reader.js';
import { runFeatures, type RunFeatures } from '../pipeline/run-features.js';

/** Run ids become folder names: only plain characters, never a path. */
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One run's rows of the store, column by column, in buffers a worker can hand over without copying. */
export interface RunFeatureRows {
  readonly runId: string;
  readonly runClass: 'fire' | 'nuisance' | 'normal';
  readonly fireClass: string | null;
  readonly nuisance: string | null;
  readonly template: string;
  readonly ignitionS: number | null;
  readonly t: Float64Array;
  readonly fire: Uint8Array;
  /** Feature-major: feature `f` of row `r` is at `f * rows + r`; NaN where missing. */
  readonly values: Float32Array;
}

export function rowCount(rows: RunFeatureRows): number {
  return rows.t.length;
}

/** Lays a run's per-second vectors out column by column, with the run's labels. */
export function toFeatureRows(features: RunFeatures, template: string): RunFeatureRows {
  const n = features.t.length;
  const width = FEATURE_NAMES.length;
  const values = new Float32Array(n * width);
  features.vectors.forEach((vector, r) => {
    if (vector.length !== width) {
      throw new EmberError(
        'EMBER_ERR_FEATURES_WRITE',
        `${features.runId}: vector ${String(r)} has ${String(vector.length)} features, expected ${String(width)}`,
      );
    }
    for (let f = 0; f < width; f++) values[f * n + r] = vector[f] ?? Number.NaN;
  });
  const runClass = features.labels.class;
  return {
    runId: features.runId,
    runClass: runClass.kind,
    fireClass: runClass.kind === 'fire' ? runClass.fire_class : null,
    nuisance: runClass.kind === 'nuisance' ? runClass.nuisance : null,
    template,
    ignitionS: features.labels.ignition_s,
    t: features.t,
    fire: features.fire,
    values,
  };
}

/** Reads one run of a dataset and computes its features with the pipeline the edge runs. */
export async function readRunFeatureRows(
  store: ObjectStore,
  runId: string,
  stage: DatasetStage,
): Promise<RunFeatureRows> {
  if (!SAFE_RUN_ID.test(runId)) {
    throw new EmberError('EMBER_ERR_FEATURES_WRITE', `run id ${JSON.stringify(runId)} cannot name a folder`);
  }
  const { meta, trace } = await readRun(store, runId, stage);
  return toFeatureRows(runFeatures(runId, trace), meta.template);
}
