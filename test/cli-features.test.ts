import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, JS } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFeatures } from '../factory/pipeline/run-features.js';
import { FEATURE_NAMES } from '../shared/features/feature-set.js';
import { openObjectStore } from '../shared/object-store/index.js';
import { listRunIds, readRun } from '../shared/dataset/dataset-reader.js';
import { jsonLines, runCli, type CliResult } from './helpers/run-cli.js';
import { s3Environment, startS3Server, type S3TestServer } from './helpers/s3-server.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-features-'));
const data = join(dir, 'dataset');
const DURATION_S = 240;
const ROWS_PER_RUN = DURATION_S + 1;
const LABEL_COLUMNS = ['run_id', 'class', 'fire_class', 'nuisance', 'template', 't_s', 'fire', 'ignition_s'];

interface Summary {
  runs: number;
  rows: number;
  files: number;
  out: string | null;
  uploaded: string | null;
}

async function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(args, undefined, 120_000, env);
}

async function features(args: string[], env?: NodeJS.ProcessEnv): Promise<Summary> {
  const result = await cli(['features', ...args], env);
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.code).toBe(0);
  return jsonLines(result.stdout)[0] as unknown as Summary;
}

let connection: DuckDBConnection;
let close = (): void => undefined;

async function sql(text: string): Promise<Record<string, JS>[]> {
  return (await connection.runAndReadAll(text)).getRowObjectsJS();
}

const parquet = (root: string): string =>
  `read_parquet('${root}/features/**/*.parquet', hive_partitioning = true)`;

/** Each run's class, from the labels the generator stored. */
const classes = new Map<string, string>();
let summary: Summary;

beforeAll(async () => {
  const generated = await cli([
    'generate',
    ...['--out', data, '--runs', '4', '--seed', '11', '--duration', String(DURATION_S)],
    ...['--thermal-hz', '1', '--workers', '1'],
  ]);
  expect(generated.code).toBe(0);
  const store = openObjectStore(data);
  for (const runId of await listRunIds(store)) {
    classes.set(runId, (await readRun(store, runId)).meta.labels.class.kind);
  }
  summary = await features(['--data', data, '--workers', '2']);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  close = () => {
    connection.closeSync();
    instance.closeSync();
  };
}, 120_000);

afterAll(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

describe('emberwatch features', () => {
  it('writes one Parquet file per run under class=…/run=…, and a schema', () => {
    expect(classes.size).toBe(4);
    expect(summary).toMatchObject({ runs: 4, files: 4, rows: 4 * ROWS_PER_RUN, out: data, uploaded: null });
    for (const [runId, kind] of classes) {
      expect(existsSync(join(data, 'features', `class=${kind}`, `run=${runId}`, 'data.parquet')), runId).toBe(
        true,
      );
    }
    const schema = JSON.parse(readFileSync(join(data, 'features/_schema.json'), 'utf8')) as {
      featureNames: string[];
      featureSetVersion: string;
      columns: { name: string }[];
    };
    expect(schema.featureNames).toEqual(FEATURE_NAMES);
    expect(schema.featureSetVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(schema.columns.map((c) => c.name)).toEqual([...LABEL_COLUMNS, ...FEATURE_NAMES]);
  });

  it('has one row per second of every run and a FLOAT column per feature', async () => {
    const [count] = await sql(`SELECT count(*) AS n, count(DISTINCT run_id) AS runs FROM ${parquet(data)}`);
    expect(count).toEqual({ n: BigInt(4 * ROWS_PER_RUN), runs: 4n });
    const columns = await sql(
      `DESCRIBE SELECT * FROM read_parquet('${data}/features/**/*.parquet', hive_partitioning = false)`,
    );
    const types = new Map(columns.map((c) => [c['column_name'], c['column_type']]));
    expect([...types.keys()]).toEqual([...LABEL_COLUMNS, ...FEATURE_NAMES]);
    for (const name of FEATURE_NAMES) expect(types.get(name), name).toBe('FLOAT');
    expect(types.get('fire')).toBe('BOOLEAN');
    expect(types.get('t_s')).toBe('DOUBLE');
  });

  it('stores missing features as NULL, never NaN or 0', async () => {
    const [early] = await sql(
      `SELECT count(pm25_d60) AS present, count(*) AS n FROM ${parquet(data)} WHERE t_s < 10`,
    );
    expect(early).toEqual({ present: 0n, n: 40n });
    const [late] = await sql(`SELECT count(pm25_d60) AS present FROM ${parquet(data)} WHERE t_s >= 120`);
    expect(late?.['present']).toBe(BigInt(4 * (DURATION_S - 119)));
    const [nan] = await sql(
      `SELECT count(*) AS n FROM ${parquet(data)} WHERE isnan(pm25_d60) OR isnan(co_d60)`,
    );
    expect(nan?.['n']).toBe(0n);
  });

  it('holds exactly what runFeatures computes for a run', async () => {
    const runId = [...classes.keys()][1] ?? '';
    const { trace } = await readRun(openObjectStore(data), runId);
    const expected = runFeatures(runId, trace);
    const names = ['pm25_level', 'pm25_d60', 'co_dev', 'tmax_d10', 'thermal_vs_air', 'gas_level'];
    const rows = await sql(
      `SELECT t_s, fire, ${names.join(', ')} FROM ${parquet(data)} WHERE run = '${runId}' ORDER BY t_s`,
    );
    expect(rows).toHaveLength(ROWS_PER_RUN);
    for (const r of [0, 5, 61, 150, DURATION_S]) {
      const row = rows[r] ?? {};
      expect(row['t_s']).toBe(expected.t[r]);
      expect(row['fire']).toBe(expected.fire[r] === 1);
      for (const name of names) {
        const value = expected.vectors[r]?.[FEATURE_NAMES.indexOf(name)] ?? Number.NaN;
        expect(row[name], `${name} at ${String(r)} s`).toBe(Number.isNaN(value) ? null : value);
      }
    }
  });

  it('writes the same rows in this thread as in worker threads', async () => {
    const other = join(dir, 'in-process');
    const again = await features(['--data', data, '--out', other, '--workers', '0']);
    expect(again).toMatchObject({ runs: 4, rows: 4 * ROWS_PER_RUN, out: other });
    const [diff] = await sql(
      `SELECT count(*) AS n FROM (SELECT * FROM ${parquet(data)} EXCEPT ALL SELECT * FROM ${parquet(other)})`,
    );
    expect(diff?.['n']).toBe(0n);
  });

  it('refuses a dataset folder that does not exist with exit code 2', async () => {
    const result = await cli(['features', '--data', join(dir, 'missing')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('emberwatch query', () => {
  it('counts rows per class with SQL over the partitioned files', async () => {
    const result = await cli([
      'query',
      'SELECT class, count(*) AS n FROM features GROUP BY class ORDER BY class',
      '--features',
      data,
    ]);
    expect(result.code).toBe(0);
    const expected = new Map<string, number>();
    for (const kind of classes.values()) expected.set(kind, (expected.get(kind) ?? 0) + ROWS_PER_RUN);
    const got = jsonLines(result.stdout);
    expect(new Map(got.map((row) => [row['class'], row['n']]))).toEqual(expected);
  });

  it('prints a readable table', async () => {
    const result = await cli([
      'query',
      '--format',
      'table',
      '--features',
      data,
      'SELECT run, max(t_s) AS last FROM features GROUP BY run ORDER BY run',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^run\s+\|\s+last$/);
    expect(lines.slice(2, -1).every((line) => line.endsWith(` ${String(DURATION_S)}`))).toBe(true);
    expect(lines.at(-1)).toBe('(4 rows)');
  });

  it("gives DuckDB's message on one line and exit code 1 for bad SQL", async () => {
    const result = await cli(['query', 'SELEC class FROM features', '--features', data]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^emberwatch query: .*syntax error at or near "SELEC"/);
  });

  it('refuses a folder without a feature store with exit code 2', async () => {
    const result = await cli(['query', 'SELECT 1', '--features', join(dir, 'missing')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^emberwatch query: no feature store in .*missing/);
  });
});

describe('emberwatch features on an S3 dataset', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server('datasets');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('computes locally and uploads the Parquet files under features/ of the bucket', async () => {
    const env = { ...process.env, ...s3Environment(server) };
    const local = openObjectStore(data);
    const bucket = openObjectStore('s3://datasets/ds', { env });
    try {
      for (const key of await local.list('validated/')) await bucket.put(key, await local.get(key));
      await bucket.put('features/class=normal/run=gone/data.parquet', 'stale');
      const uploaded = await features(['--data', 's3://datasets/ds', '--workers', '1'], env);
      const where = 's3://datasets/ds/features/';
      expect(uploaded).toMatchObject({ runs: 4, rows: 4 * ROWS_PER_RUN, out: where, uploaded: where });
      const keys = await bucket.list('features/');
      expect(keys).toEqual(await local.list('features/'));
      expect(keys).toHaveLength(5);
      const key = keys.find((k) => k.endsWith('.parquet')) ?? '';
      const copy = join(dir, 'from-s3.parquet');
      await bucket.getToFile(key, copy);
      const [fromBucket] = await sql(`SELECT count(*) AS n, min(run_id) AS run FROM read_parquet('${copy}')`);
      expect(fromBucket).toEqual({ n: BigInt(ROWS_PER_RUN), run: /run=([^/]+)/.exec(key)?.[1] });
    } finally {
      await bucket.close();
      await local.close();
    }
  }, 60_000);
});
