import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './figure.js';

/** Where `npm run bench` writes its result files (ignored by git). */
export const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

/** Everything a run produced, and what it ran on: what two commits' runs are compared by. */
export interface BenchRun {
  readonly commit: string;
  readonly dirty: boolean;
  readonly startedAt: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** One-minute load average before the first benchmark and after the last. */
  readonly load: { readonly before: number; readonly after: number };
  readonly args: readonly string[];
  readonly figures: readonly Figure[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The machine and commit a run starts on. */
export function runHeader(
  args: readonly string[],
): Omit<BenchRun, 'figures' | 'load'> & { loadBefore: number } {
  return {
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    startedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadBefore: loadavg()[0] ?? 0,
    args,
  };
}

/** Writes the run as JSON into `dir` (named by its start and commit) or to `path`; returns the path. */
export function writeRun(run: BenchRun, path?: string): string {
  const target =
    path ?? join(RESULTS_DIR, `${run.startedAt.replace(/[:.]/g, '-')}-${run.commit.slice(0, 10)}.json`);
  if (path === undefined) mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(target, `${JSON.stringify(run, null, 2)}\n`);
  return target;
}

/** The run in the result file at `path`; throws one line naming the file and what is wrong with it. */
export function readRun(path: string): BenchRun {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not JSON`);
  }
  const figures = (run as { figures?: unknown } | null)?.figures;
  if (typeof run !== 'object' || run === null || !Array.isArray(figures))
    throw new Error(`${path}: not a benchmark result file (no figures)`);
  return run as BenchRun;
}
