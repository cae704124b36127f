import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI } from './run-cli.js';

/** The log lines at error level or above, and anything that is not a log line: why a process stopped. */
function errors(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const serious = lines.filter((line) => {
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level !== 'number' || level >= 50;
    } catch {
      return true;
    }
  });
  return serious.join('\n').slice(-3000);
}

/** One `emberwatch cloud` process run from the built command line, as a supervisor would run it. */
export interface CloudWorker {
  readonly name: string;
  /** The process id (lease holders are named `host/pid/tag`). */
  readonly pid: number;
  /** The API's URL, from the started line. */
  readonly url: string;
  /** Everything the process wrote to stderr (its JSON log), for failure messages. */
  output(): string;
  /** True until the process exits. */
  running(): boolean;
  /** SIGKILL: no handler runs, nothing is flushed or acknowledged. */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Writes `config` (JSON) under `dir` and starts `emberwatch cloud` on it with
 * `EMBERWATCH_BROKER_CLIENT_ID=clientId`; resolves once it prints its
 * started line, rejects when it exits first or after `timeoutMs`.
 */
export async function startCloudWorker(
  name: string,
  clientId: string,
  config: Record<string, unknown>,
  dir: string,
  timeoutMs = 60_000,
): Promise<CloudWorker> {
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, [CLI, 'cloud', '--config', path], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EMBERWATCH_BROKER_CLIENT_ID: clientId, EMBERWATCH_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = { running: true };
  void exited.then(() => (state.running = false));
  const deadline = Date.now() + timeoutMs;
  while (!stdout.includes('"cloud":"started"')) {
    if (!state.running || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `cloud worker ${name} did not start (exit ${String(child.exitCode)}): ${errors(stderr)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (!state.running) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const startedLine = stdout.split('\n').find((line) => line.includes('"cloud":"started"')) ?? '{}';
  const { url } = JSON.parse(startedLine) as { url?: string | null };
  return {
    name,
    pid: child.pid ?? 0,
    url: url ?? '',
    output: () => stderr,
    running: () => state.running,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
