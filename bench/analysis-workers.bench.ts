import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startThrowawayPostgres } from '../cloud/database/throwaway-postgres.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';

/**
 * Anomalies handled per second by the analysis agent and the incident
 * store (dedupe, look-backs, assessment, incident: the work behind every
 * anomaly, without MQTT), in one run: one process on SQLite, then 1, 2 and
 * 3 worker processes sharing one PostgreSQL database (a throwaway server
 * on this machine, fsync off), each taking every n-th anomaly as a shared
 * subscription would. Wall time from the start signal to the last worker done.
 */
const DEVICES = 200;
const ANOMALIES = 6_000;

interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
}

function spawnWorker(args: string[]): Worker {
  const script = new URL('./analysis-worker-child.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  return { child, lines };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function run(where: (w: number) => string, workers: number, dir: string): Promise<number> {
  const started = Array.from({ length: workers }, (_, w) =>
    spawnWorker([
      where(w),
      join(dir, `fleet-${String(workers)}-${String(w)}.sqlite`),
      String(w),
      String(workers),
      String(DEVICES),
      String(ANOMALIES),
    ]),
  );
  await until(() => started.every((w) => w.lines.includes('ready')));
  const begun = process.hrtime.bigint();
  for (const w of started) w.child.stdin?.write('go\n');
  await Promise.all(started.map((w) => once(w.child, 'exit')));
  const seconds = Number(process.hrtime.bigint() - begun) / 1e9;
  const handled = started
    .map((w) => JSON.parse(w.lines.find((l) => l.startsWith('{')) ?? '{"handled":0}') as { handled: number })
    .reduce((sum, r) => sum + r.handled, 0);
  if (handled !== ANOMALIES) throw new Error(`handled ${String(handled)} of ${String(ANOMALIES)} anomalies`);
  return ANOMALIES / seconds;
}

export async function benchAnalysisWorkers(_options?: BenchOptions): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-analysis-bench-'));
  const server = await startThrowawayPostgres();
  const figures: Figure[] = [];
  const note = `${String(ANOMALIES)} anomalies from ${String(DEVICES)} devices, analysis and incident store only (no MQTT)`;
  const add = (name: string, rate: number): void => {
    figures.push(figure('analysis-workers', { name, unit: 'anomalies/s', values: rate, note }));
  };
  try {
    add('analysis + incidents, SQLite, 1 process', await run(() => join(dir, 'incidents.sqlite'), 1, dir));
    for (const workers of [1, 2, 3]) {
      const database = await server.createDatabase('ember_bench');
      add(
        `analysis + incidents, PostgreSQL, ${String(workers)} worker(s)`,
        await run(() => database.url, workers, dir),
      );
      await database.drop();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (isMain(import.meta.url)) await runStandalone(benchAnalysisWorkers);
