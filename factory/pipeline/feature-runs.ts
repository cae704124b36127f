import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { listRunIds, readRun } from '../../shared/dataset/dataset-reader.js';
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

/** Files read at once: each query waits on DuckDB's threads, so a few in flight keep them and this thread busy. */
const CONCURRENT_FILES = 4;

type Connection = Awaited<ReturnType<import('@duckdb/node-api').DuckDBInstance['connect']>>;

/** The labels read with each run's features, in the order of the SELECT. */
const LABELS = ['run_id', 'class', 'ignition_s', 't_s', 'fire'] as const;

/**
 * One Parquet file (one run), chunk by chunk and column by column; NULL
 * features come back as NaN. Values are taken from DuckDB's vectors
 * directly: materialising every column as JS arrays first cost more than
 * the query.
 */
async function readRunFile(connection: Connection, file: string, columns: string): Promise<FeatureRun> {
  const result = await connection.run(`SELECT ${columns} FROM read_parquet(${literal(file)}) ORDER BY t_s`);
  const chunks = await result.fetchAllChunks();
  const width = FEATURE_NAMES.length;
  const vectors: Float32Array[] = [];
  const t: number[] = [];
  const fire: number[] = [];
  for (const chunk of chunks) {
    const rows = chunk.rowCount;
    const from = vectors.length;
    for (let r = 0; r < rows; r++) vectors.push(new Float32Array(width));
    const times = chunk.getColumnVector(LABELS.indexOf('t_s'));
    const fires = chunk.getColumnVector(LABELS.indexOf('fire'));
    for (let r = 0; r < rows; r++) {
      t.push(Number(times.getItem(r)));
      fire.push(fires.getItem(r) === true ? 1 : 0);
    }
    for (let f = 0; f < width; f++) {
      const column = chunk.getColumnVector(LABELS.length + f);
      for (let r = 0; r < rows; r++) {
        const value = column.getItem(r);
        const vector = vectors[from + r];
        if (vector !== undefined) vector[f] = typeof value === 'number' ? value : Number.NaN;
      }
    }
  }
  const first = chunks[0];
  const label = (name: (typeof LABELS)[number]) => first?.getColumnVector(LABELS.indexOf(name)).getItem(0);
  const kind = label('class');
  if (kind !== 'fire' && kind !== 'nuisance' && kind !== 'normal') {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `${file}: unknown class "${typeof kind === 'string' ? kind : ''}"`,
    );
  }
  const id = label('run_id');
  const ignition = label('ignition_s');
  return {
    runId: typeof id === 'string' ? id : file,
    classKind: kind,
    ignitionS: typeof ignition === 'number' ? ignition : null,
    t: Float64Array.from(t),
    vectors,
    fire: Uint8Array.from(fire),
  };
}

/**
 * Reads a feature store written by `emberwatch features` back into runs,
 * one Parquet file (one run) per query, a few queries at once on their own
 * connections (one query at a time left DuckDB and this thread mostly
 * waiting on each other). NULL features come back as NaN: missing, as the
 * model expects.
 */
export async function readFeatureStore(featuresFolder: string): Promise<FeatureRun[]> {
  const files = await parquetFiles(featuresFolder);
  if (files.length === 0)
    throw new EmberError('EMBER_ERR_BAD_OPTION', `no Parquet files under ${featuresFolder}`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connections: Connection[] = [];
  const columns = [...LABELS, ...FEATURE_NAMES].map(quote).join(', ');
  const runs: FeatureRun[] = [];
  try {
    for (let i = 0; i < Math.min(CONCURRENT_FILES, files.length); i++)
      connections.push(await instance.connect());
    let next = 0;
    // allSettled: no connection is closed below while another's query is still running.
    const settled = await Promise.allSettled(
      connections.map(async (connection) => {
        for (let i = next++; i < files.length; i = next++) {
          try {
            // By file index, so runs with equal ids keep the files' order, whichever query ends first.
            runs[i] = await readRunFile(connection, files[i] ?? '', columns);
          } catch (error) {
            next = files.length;
            throw error;
          }
        }
      }),
    );
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  } finally {
    for (const connection of connections) connection.closeSync();
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
