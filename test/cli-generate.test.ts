import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../shared/object-store/index.js';
import { listRunIds, readRun } from '../shared/dataset/dataset-reader.js';
import { jsonLines, runCli } from './helpers/run-cli.js';
import { s3Environment, startS3Server, type S3TestServer } from './helpers/s3-server.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-generate-'));
const ARGS = ['--runs', '6', '--seed', '77', '--duration', '300', '--thermal-hz', '1'];

interface Summary {
  runs: number;
  accepted: number;
  rejected: unknown[];
  classes: Record<string, number>;
  fingerprint: string;
}

async function generate(out: string, workers: number, env?: NodeJS.ProcessEnv): Promise<Summary> {
  const result = await runCli(
    ['generate', '--out', out, ...ARGS, '--workers', String(workers)],
    undefined,
    120_000,
    env,
  );
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.code).toBe(0);
  return jsonLines(result.stdout)[0] as unknown as Summary;
}

describe('emberwatch generate', () => {
  let one: Summary;
  let two: Summary;
  beforeAll(async () => {
    [one, two] = await Promise.all([generate(join(dir, 'w1'), 1), generate(join(dir, 'w2'), 2)]);
  }, 180_000);

  it('gives the same dataset whatever the number of workers', () => {
    expect(one.runs).toBe(6);
    expect(one.accepted).toBe(6);
    expect(two.fingerprint).toBe(one.fingerprint);
    expect(readFileSync(join(dir, 'w1/validated/thermal/run-000003.ewt'))).toEqual(
      readFileSync(join(dir, 'w2/validated/thermal/run-000003.ewt')),
    );
  });

  it('lays out raw and validated data, previews, a catalogue and a manifest', async () => {
    const root = join(dir, 'w1');
    for (const kind of ['thermal', 'gas', 'environmental', 'labels']) {
      expect(existsSync(join(root, 'raw', kind)), kind).toBe(true);
    }
    expect(readFileSync(join(root, 'validated/thermal/run-000000.png')).subarray(1, 4).toString()).toBe(
      'PNG',
    );
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Summary & {
      seed: number;
    };
    expect(manifest).toMatchObject({ seed: 77, runs: 6, accepted: 6, fingerprint: one.fingerprint });
    const db = new Database(join(root, 'catalog.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT run_id, class, status, files FROM runs ORDER BY idx').all() as {
      class: string;
      status: string;
      files: string;
    }[];
    db.close();
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'accepted')).toBe(true);
    const counted = rows.reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r.class]: (acc[r.class] ?? 0) + 1 }),
      {},
    );
    expect(counted).toEqual(Object.fromEntries(Object.entries(one.classes).filter(([, n]) => n > 0)));
    expect(Object.keys(JSON.parse(rows[0]?.files ?? '{}') as object).sort()).toEqual([
      'environmental',
      'gas',
      'labels',
      'preview',
      'thermal',
    ]);
    const store = openObjectStore(root);
    expect(await listRunIds(store)).toHaveLength(6);
    const { trace, meta } = await readRun(store, 'run-000002');
    expect(meta.durationS).toBe(300);
    expect(trace.sensors.mcu90640.t_s.length).toBe(301);
  });

  it('refuses bad options with one line', async () => {
    const bad = await runCli(['generate', '--out', join(dir, 'bad'), '--runs', '0', '--seed', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^emberwatch generate: --runs:/);
    const mix = await runCli([
      'generate',
      '--out',
      join(dir, 'bad'),
      '--runs',
      '2',
      '--seed',
      '1',
      '--mix',
      'smoke=1',
    ]);
    expect(mix.code).toBe(2);
    expect(mix.stderr).toMatch(/--mix/);
    const hz = await runCli([
      'generate',
      '--out',
      join(dir, 'bad'),
      '--runs',
      '2',
      '--seed',
      '1',
      '--thermal-hz',
      '3',
    ]);
    expect(hz.code).toBe(2);
  });
});

describe('emberwatch generate to S3', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server('datasets');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('writes the same dataset to a real S3-compatible server and reads it back', async () => {
    const env = { ...process.env, ...s3Environment(server) };
    const summary = await generate('s3://datasets/synthetic/v1', 2, env);
    const local = await generate(join(dir, 'local'), 2);
    expect(summary.fingerprint).toBe(local.fingerprint);
    const store = openObjectStore('s3://datasets/synthetic/v1', { env });
    try {
      expect(await store.exists('manifest.json')).toBe(true);
      expect(await store.exists('catalog.sqlite')).toBe(true);
      const { trace } = await readRun(store, 'run-000004');
      const { trace: fromDisk } = await readRun(openObjectStore(join(dir, 'local')), 'run-000004');
      const bytes = (a: Int16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      expect(
        bytes(trace.sensors.mcu90640.pixels_centi).equals(bytes(fromDisk.sensors.mcu90640.pixels_centi)),
      ).toBe(true);
      expect(trace.labels).toEqual(fromDisk.labels);
    } finally {
      await store.close();
    }
  }, 120_000);
});
