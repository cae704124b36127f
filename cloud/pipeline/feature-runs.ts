import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { listRunIds, readRun } from '../../simulators/generate/dataset-reader.js';
import type { FeatureRun } from './run-features.js';
import { runFeatures } from './run-features.js';

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

async function parquetFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Reads a feature store written by `emberwatch features` back into runs,
 * one Parquet file (one run) at a time, column by column. NULL features
 * come back as NaN: missing, as the model expects.
 */
export async function readFeatureStore(featuresFolder: string): Promise<FeatureRun[]> {
  const files = await parquetFiles(featuresFolder);
  if (files.length === 0)
    throw new EmberError('EMBER_ERR_BAD_OPTION', `no Parquet files under ${featuresFolder}`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = ['run_id', 'class', 'ignition_s', 't_s', 'fire', ...FEATURE_NAMES].map(quote).join(', ');
  const runs: FeatureRun[] = [];
  try {
    for (const file of files) {
      const reader = await connection.runAndReadAll(
        `SELECT ${columns} FROM read_parquet(${literal(file)}) ORDER BY t_s`,
      );
      const [ids, classes, ignitions, times, fires, ...features] = reader.getColumnsJS();
      const rows = times?.length ?? 0;
      const vectors = Array.from({ length: rows }, () => new Float32Array(FEATURE_NAMES.length));
      features.forEach((column, f) =>
        column.forEach((value, r) => {
          const vector = vectors[r];
          if (vector !== undefined) vector[f] = typeof value === 'number' ? value : Number.NaN;
        }),
      );
      const first = classes?.[0];
      const kind = typeof first === 'string' ? first : '';
      if (kind !== 'fire' && kind !== 'nuisance' && kind !== 'normal') {
        throw new EmberError('EMBER_ERR_BAD_OPTION', `${file}: unknown class "${kind}"`);
      }
      const ignition = ignitions?.[0];
      runs.push({
        runId: typeof ids?.[0] === 'string' ? ids[0] : file,
        classKind: kind,
        ignitionS: typeof ignition === 'number' ? ignition : null,
        t: Float64Array.from(times ?? [], (v) => Number(v)),
        vectors,
        fire: Uint8Array.from(fires ?? [], (v) => (v === true ? 1 : 0)),
      });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return runs.sort((a, b) => a.runId.localeCompare(b.runId));
}

/** Computes the features of every validated run of a dataset directly (no feature store needed). */
export async function computeFeatureRuns(
  store: ObjectStore,
  onRun?: (done: number, total: number) => void,
): Promise<FeatureRun[]> {
  const ids = await listRunIds(store, 'validated');
  const runs: FeatureRun[] = [];
  for (const id of ids) {
    const { trace } = await readRun(store, id, 'validated');
    runs.push(runFeatures(id, trace));
    onRun?.(runs.length, ids.length);
  }
  return runs;
}
