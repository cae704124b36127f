import { Worker } from 'node:worker_threads';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { cpuSeconds, pairedRatios } from './stats.js';
import {
  SIGNAL_DONE,
  SIGNAL_FAILED,
  SIGNAL_GO,
  SIGNAL_READY,
  SIGNAL_SLOTS,
  type SimulationJob,
  type SimulationWorkerData,
} from './simulation-worker.js';

/**
 * Simulation figures: (a) the real-time factor of one core simulating a full
 * five-module kit with the thermal camera at 4 Hz for an hour (target: at
 * least 10,000 simulated seconds per wall second), and (b) how a batch of
 * runs speeds up with worker threads, 1 and 2 workers in turn, the speed-up
 * taken pair by pair, with wall and CPU time (every thread of the process).
 * The workers are the compiled `simulation-worker.js` beside this file, so
 * this benchmark runs from dist.
 */
const HOUR_S = 3600;
const BATCH: readonly SimulationJob[] = Array.from({ length: 48 }, (_, i) => ({
  template: i % 2 === 0 ? 'tf4' : 'normal-day',
  seed: i + 1,
  durationS: 600,
}));
/** The first runs of a fresh isolate take three to four times longer while the code is optimised. */
const WARM_UP: readonly SimulationJob[] = Array.from({ length: 12 }, (_, i) => ({
  template: i % 2 === 0 ? 'tf4' : 'normal-day',
  seed: 1000 + i,
  durationS: 600,
}));
const WAIT_LIMIT_MS = 600_000;

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/** Simulated seconds per wall second of one hour on one core, one value per round. */
function realTimeFactor(): number[] {
  const scenario = drawScenario('normal-day', 1);
  for (const job of WARM_UP)
    simulateRun(drawScenario(job.template, job.seed), { durationS: 600, thermalHz: 4 });
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    simulateRun(scenario, { durationS: HOUR_S, thermalHz: 4 });
    rates.push(HOUR_S / seconds(start));
  }
  return rates;
}

/** Blocks until `signals[index]` reaches `count`, or throws naming `what`. */
function waitForCount(signals: Int32Array, index: number, count: number, what: string): void {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (let seen = Atomics.load(signals, index); seen < count; seen = Atomics.load(signals, index)) {
    if (Date.now() > deadline) throw new Error(`simulation bench: timed out waiting for ${what}`);
    Atomics.wait(signals, index, seen, 1000);
  }
}

/** Wall and CPU seconds for `threads` workers to simulate BATCH between them, start-up and warm-up excluded. */
function batchSeconds(threads: number): { wall: number; cpu: number } {
  const shared = new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const signals = new Int32Array(shared);
  const workers = Array.from({ length: threads }, () => {
    const workerData: SimulationWorkerData = { jobs: BATCH, warmUp: WARM_UP, signals: shared };
    return new Worker(new URL('./simulation-worker.js', import.meta.url), { workerData });
  });
  try {
    waitForCount(signals, SIGNAL_READY, threads, 'the workers to warm up');
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    Atomics.store(signals, SIGNAL_GO, 1);
    Atomics.notify(signals, SIGNAL_GO);
    waitForCount(signals, SIGNAL_DONE, threads, 'the batch');
    const elapsed = { wall: seconds(start), cpu: cpuSeconds(cpu) };
    if (Atomics.load(signals, SIGNAL_FAILED) !== 0) throw new Error('simulation bench: a worker failed');
    return elapsed;
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

export function benchSimulation(_options?: BenchOptions): Promise<Figure[]> {
  const simulatedS = BATCH.reduce((sum, job) => sum + job.durationS, 0);
  // 1 and 2 workers in turn, so a busy moment of a shared machine hits both sides of a pair.
  const one: { wall: number; cpu: number }[] = [];
  const two: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < 3; round++) {
    one.push(batchSeconds(1));
    two.push(batchSeconds(2));
  }
  const bench = 'simulation';
  const batch = `batch of ${String(BATCH.length)} × 10-min runs`;
  return Promise.resolve([
    figure(bench, {
      name: 'five modules + 4 Hz camera, 1 core',
      unit: 'simulated s/s',
      values: realTimeFactor(),
      goal: { op: '>=', value: 10_000 },
    }),
    figure(bench, {
      name: `${batch}, 1 worker thread`,
      unit: 'simulated s/s',
      values: one.map((r) => simulatedS / r.wall),
      note: `wall ${one.map((r) => r.wall.toFixed(2)).join(', ')} s; CPU ${one.map((r) => r.cpu.toFixed(2)).join(', ')} s`,
    }),
    figure(bench, {
      name: `${batch}, 2 worker threads`,
      unit: 'simulated s/s',
      values: two.map((r) => simulatedS / r.wall),
      note: `wall ${two.map((r) => r.wall.toFixed(2)).join(', ')} s; CPU ${two.map((r) => r.cpu.toFixed(2)).join(', ')} s`,
    }),
    {
      ...pairedRatios(
        one.map((r) => r.wall),
        two.map((r) => r.wall),
      ),
      bench,
      name: 'speed-up of 2 worker threads over 1 (paired rounds)',
      unit: '×',
      note: 'wall time of 1 worker / 2 workers, round by round',
    },
  ]);
}

// Run alone: node dist/bench/simulation.bench.js
if (isMain(import.meta.url)) await runStandalone(benchSimulation);
