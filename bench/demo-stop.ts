import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive } from './process-tree.js';

/** The checkout: from bench/ as source or from dist/bench/ as built. */
const ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/bench/') ? '../..' : '..', import.meta.url),
);
const CLI = join(ROOT, 'bin', 'emberwatch.js');

export interface DemoStopOptions {
  /** The demo's data folder, kept between stops as a user's ./data/demo is. */
  readonly dataDir: string;
  /** Milliseconds from spawn to the Ctrl-C. */
  readonly afterMs: number;
  /** Through `npm start` (as a newcomer runs it) or straight `node bin/emberwatch.js demo`. */
  readonly via: 'npm' | 'node';
}

/** What one Ctrl-C left behind. */
export interface DemoStop {
  readonly afterMs: number;
  /** From the signal until the command and every process it started were gone. */
  readonly stopMs: number;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  /** Whether the demo had printed its dashboard line before the signal came. */
  readonly started: boolean;
  readonly stdout: string;
  /** Lines of a stack trace or an uncaught error on standard error. */
  readonly stackLines: string[];
  /** Log lines at warn or above written after the signal. */
  readonly warningsAfterSignal: string[];
  /** Processes the demo started that were still alive 5 s after it exited. */
  readonly leftoverProcesses: string[];
  /** What was left in the temp folder the demo was given. */
  readonly leftoverTemp: string[];
}

const STACK = /^\s+at \S|^\w*Error\b|Uncaught|^node:internal/;

function warnedAfter(stderr: string, sinceMs: number): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .filter((line) => {
      try {
        const entry = JSON.parse(line) as { level?: number; time?: number };
        return (entry.level ?? 0) >= 40 && (entry.time ?? 0) >= sinceMs;
      } catch {
        return true;
      }
    });
}

/**
 * npm itself (its lib/cli.js, on a Node that has module.enableCompileCache)
 * keeps Node's compile cache for its own modules in the temp folder, for the
 * next npm to start faster: npm's, not something the demo left behind.
 */
const NPM_COMPILE_CACHE = 'node-compile-cache';

/**
 * Starts the demo in a process group of its own, sends the group SIGINT
 * after `afterMs` (what a terminal's Ctrl-C does to `npm start` and
 * everything it runs in the foreground), and reports what the stop left
 * behind: stack traces, warnings, processes, temp files, and how long it took.
 */
export async function stopDemoOnce(options: DemoStopOptions): Promise<DemoStop> {
  const temp = await mkdtemp(join(tmpdir(), 'emberwatch-stop-'));
  const args = ['demo', '--port', '0', '--data', options.dataDir, '--rollout-after', '20'];
  const [command, argv] =
    options.via === 'npm'
      ? ['npm', ['start', '--silent', '--', ...args.slice(1)]]
      : [process.execPath, [CLI, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: temp },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid ?? 0;
  const seen = new Map<number, string>();
  const watch = (): void => {
    for (const p of descendants(pid)) seen.set(p.pid, p.name);
  };
  const watcher = setInterval(watch, 50);
  try {
    await new Promise((resolve) => setTimeout(resolve, options.afterMs));
    watch();
    const started = /^Emberwatch demo: dashboard /m.test(stdout);
    const signalAt = Date.now();
    const t0 = performance.now();
    try {
      process.kill(-pid, 'SIGINT');
    } catch {
      // The group is gone already: the demo failed to start; the checks below say why.
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 30_000);
    const exit = await exited;
    clearTimeout(killer);
    clearInterval(watcher);
    let stopMs = performance.now() - t0;
    const deadline = performance.now() + 5000;
    while ([...seen.keys()].some(isAlive) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (![...seen.keys()].some(isAlive)) stopMs = Math.max(stopMs, performance.now() - t0 - 20);
    const leftoverProcesses = [...seen.entries()]
      .filter(([p]) => isAlive(p))
      .map(([p, name]) => `${name} (${String(p)})`);
    for (const p of seen.keys()) if (isAlive(p)) process.kill(p, 'SIGKILL');
    return {
      afterMs: options.afterMs,
      stopMs,
      exit,
      started,
      stdout,
      stackLines: stderr.split('\n').filter((line) => STACK.test(line)),
      warningsAfterSignal: warnedAfter(stderr, signalAt),
      leftoverProcesses,
      leftoverTemp: (await readdir(temp)).filter((f) => !(options.via === 'npm' && f === NPM_COMPILE_CACHE)),
    };
  } finally {
    clearInterval(watcher);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(temp, { recursive: true, force: true });
  }
}
