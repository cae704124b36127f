import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KIT } from '../simulators/devices/kit.js';
import { startKit } from '../simulators/devices/start-kit.js';
import { agentWorkspace } from './agent-workspace.js';
import { startBenchBroker } from './bench-broker.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { spread } from './stats.js';

/**
 * Memory of the real `emberwatch edge` (bin/emberwatch.js, as installed)
 * in each way it is started: plainly with its output piped (JSON logs), in
 * a terminal (`script`, so standard error is a pty and the logs are
 * pretty), and as a systemd service would run it. systemd is not running
 * on machines like this one, so that mode reproduces what the unit in
 * deploy/pi/emberwatch-edge.service gives the process: its environment
 * (MALLOC_ARENA_MAX=2, UV_THREADPOOL_SIZE=1, NODE_ENV=production,
 * INVOCATION_ID, JOURNAL_STREAM), standard input from /dev/null and its
 * output to the journal's socket (here a pipe: not a terminal either).
 * Each agent reads five emulated modules (one of each, the camera at 4 Hz)
 * on ptys in real time, runs the shipped ONNX model (models/default) and
 * publishes over mutual TLS to the embedded broker (its own process), all
 * with the product's defaults. The resident set of the agent's process
 * (VmRSS: every thread, native memory included) is sampled every 5 s for
 * 2 minutes, or 10 with `--long`, after the agent says it is ready; the
 * figure is the peak, held to 120 MB. The start-up, spawn to the agent's
 * ready line, is reported too. `--mode plain|terminal|systemd` (or a
 * comma-separated list) measures only those modes.
 */
const CLI = fileURLToPath(new URL('../../bin/emberwatch.js', import.meta.url));
const SAMPLE_EVERY_MS = 5000;
const QUICK_S = 120;
const LONG_S = 600;

interface Mode {
  /** What `--mode` calls it. */
  readonly key: string;
  readonly label: string;
  start(configPath: string): ChildProcess;
}

/** This process's environment without the settings a mode decides on. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['MALLOC_ARENA_MAX'];
  delete env['NODE_OPTIONS'];
  delete env['EMBERWATCH_LOG_LEVEL'];
  return env;
}

const MODES: readonly Mode[] = [
  {
    key: 'plain',
    label: 'started plainly (output piped, JSON logs)',
    start: (config) =>
      spawn(process.execPath, [CLI, 'edge', '--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: inheritedEnv(),
      }),
  },
  {
    key: 'terminal',
    label: 'in a terminal (pretty logs)',
    start: (config) =>
      spawn('script', ['-qfec', `exec ${process.execPath} ${CLI} edge --config ${config}`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...inheritedEnv(), TERM: 'xterm' },
      }),
  },
  {
    key: 'systemd',
    label: 'as a systemd service (deploy/pi/emberwatch-edge.service)',
    start: (config) =>
      spawn(process.execPath, [CLI, 'edge', '--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...inheritedEnv(),
          MALLOC_ARENA_MAX: '2',
          UV_THREADPOOL_SIZE: '1',
          NODE_ENV: 'production',
          INVOCATION_ID: '0123456789abcdef0123456789abcdef',
          JOURNAL_STREAM: '8:12345',
        },
      }),
  },
];

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** CPU seconds the process has used, every thread (utime + stime of /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS_PER_S;
}

/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_S = 100;

function threadsOf(pid: number): number {
  return readdirSync(`/proc/${String(pid)}/task`).length;
}

/** The node binary this bench runs on, as /proc/PID/exe names it. */
const NODE_BINARY = realpathSync(process.execPath);

/** Whether a process runs that binary. By its executable, not its name: Node 24 names its main thread `MainThread`. */
function isNode(pid: number | string): boolean {
  try {
    return readlinkSync(`/proc/${String(pid)}/exe`) === NODE_BINARY;
  } catch {
    return false;
  }
}

/** The node process of the agent: the child itself, or the one `script` started (it execs into node). */
function agentPid(child: ChildProcess): number {
  const pid = child.pid ?? 0;
  if (isNode(pid)) return pid;
  for (const task of readdirSync(`/proc/${String(pid)}/task`)) {
    const children = readFileSync(`/proc/${String(pid)}/task/${task}/children`, 'utf8').trim();
    for (const c of children.split(/\s+/).filter((x) => x !== '')) {
      if (isNode(c)) return Number(c);
    }
  }
  const comm = readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim();
  throw new Error(`memory bench: no node process under ${comm} (${String(pid)})`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for the agent's ready line `{"deviceId":…,"status":URL}`; returns the URL and the ms from spawn. */
function ready(
  child: ChildProcess,
  spawnedAt: number,
): Promise<{ url: string; ms: number; output: () => string }> {
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
      const match = /\{"deviceId":"[^"]+","status":"(http:\/\/[^"]+)"\}/.exec(output);
      if (match?.[1] !== undefined)
        resolve({ url: match[1], ms: performance.now() - spawnedAt, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
    child.once('exit', (code) =>
      reject(new Error(`memory bench: the agent exited (${String(code)}): ${output.slice(-500)}`)),
    );
  });
}

interface ModeResult {
  readonly samples: number[];
  readonly startupMs: number;
  readonly threads: number;
  readonly steps: number;
  readonly model: string;
  /** One-minute load average at the first and the last sample. */
  readonly load: string;
  /** The agent's CPU over the sampled span, as a share of one core. */
  readonly cpuShare: number;
}

async function measureMode(mode: Mode, seconds: number, index: number): Promise<ModeResult> {
  const broker = await startBenchBroker();
  const kit = await startKit(DEFAULT_KIT);
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-memory-bench-'));
  let child: ChildProcess | undefined;
  try {
    const ws = await agentWorkspace(broker, `gw-bench-memory-${String(index)}`, kit.devices, dir);
    const spawnedAt = performance.now();
    child = mode.start(ws.configPath);
    const { url, ms } = await ready(child, spawnedAt);
    const pid = agentPid(child);
    const samples: number[] = [];
    const loadAtStart = loadavg()[0] ?? NaN;
    const cpuAtStart = cpuSeconds(pid);
    const sampledFrom = performance.now();
    const until = sampledFrom + seconds * 1000;
    while (performance.now() < until) {
      samples.push(rssMb(pid));
      await sleep(SAMPLE_EVERY_MS);
    }
    samples.push(rssMb(pid));
    const cpuShare = (cpuSeconds(pid) - cpuAtStart) / ((performance.now() - sampledFrom) / 1000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const model = /emberwatch_model_info\{[^}]*version="([^"]+)"/.exec(metrics)?.[1] ?? 'unknown';
    const steps = Number(/^emberwatch_steps_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 0);
    if (model !== ws.modelVersion)
      throw new Error(`memory bench: the agent ran ${model}, not ${ws.modelVersion}`);
    const load = `${loadAtStart.toFixed(1)}–${(loadavg()[0] ?? NaN).toFixed(1)}`;
    return { samples, startupMs: ms, threads: threadsOf(pid), steps, model, load, cpuShare };
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
    }
    await kit.stop();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The modes `--mode KEY[,KEY]` picks (all without it), so that each start
 * mode can run in a process of its own, side by side, when ten minutes
 * apiece is too long to wait for.
 */
function chosenModes(argv: readonly string[]): readonly Mode[] {
  const i = argv.indexOf('--mode');
  if (i === -1) return MODES;
  const keys = (argv[i + 1] ?? '').split(',');
  const unknown = keys.filter((k) => !MODES.some((m) => m.key === k));
  if (unknown.length > 0) {
    throw new Error(
      `memory bench: no start mode '${unknown.join(',')}' (have ${MODES.map((m) => m.key).join(', ')})`,
    );
  }
  return MODES.filter((m) => keys.includes(m.key));
}

export async function benchMemory(options: BenchOptions = { long: false }): Promise<Figure[]> {
  const seconds = options.long ? LONG_S : QUICK_S;
  const figures: Figure[] = [];
  const startups: number[] = [];
  for (const [index, mode] of MODES.entries()) {
    if (!chosenModes(process.argv.slice(2)).includes(mode)) continue;
    const r = await measureMode(mode, seconds, index);
    startups.push(r.startupMs);
    const s = spread(r.samples);
    figures.push(
      figure('memory', {
        name: `edge agent RSS, peak over ${String(seconds / 60)} min, ${mode.label}`,
        unit: 'MB',
        values: s.max,
        goal: { op: '<=', value: 120 },
        note: `median ${s.median.toFixed(1)} MB, first ${(r.samples[0] ?? NaN).toFixed(1)} MB, ${String(r.samples.length)} samples every 5 s; ${String(r.threads)} threads; CPU ${(r.cpuShare * 100).toFixed(1)} % of a core; ${String(r.steps)} steps with ${r.model}; five modules on ptys; load average ${r.load}`,
      }),
    );
  }
  figures.push(
    figure('memory', {
      name: 'emberwatch edge start-up: spawn → ready line',
      unit: 'ms',
      values: startups,
      note: 'one per start mode: config and TLS files read, model checked and loaded, five ports opened, status server listening',
    }),
  );
  return figures;
}

if (isMain(import.meta.url)) await runStandalone(benchMemory);
