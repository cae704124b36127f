import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { formatMeasurement, type Measurement } from './measure.js';
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
 * runs speeds up with worker threads. The workers are the compiled
 * `simulation-worker.js` beside this file, so this benchmark runs from dist.
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

function realTimeFactor(): Measurement {
  const scenario = drawScenario('normal-day', 1);
  for (const job of WARM_UP)
    simulateRun(drawScenario(job.template, job.seed), { durationS: 600, thermalHz: 4 });
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint();
    simulateRun(scenario, { durationS: HOUR_S, thermalHz: 4 });
    best = Math.min(best, seconds(start));
  }
  return {
    name: 'simulation, five modules + 4 Hz camera, 1 core',
    perSecond: HOUR_S / best,
    unit: ' simulated s',
    note: `${best.toFixed(3)} wall s per simulated hour`,
  };
}

/** Blocks until `signals[index]` reaches `count`, or throws naming `what`. */
function waitForCount(signals: Int32Array, index: number, count: number, what: string): void {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (let seen = Atomics.load(signals, index); seen < count; seen = Atomics.load(signals, index)) {
    if (Date.now() > deadline) throw new Error(`simulation bench: timed out waiting for ${what}`);
    Atomics.wait(signals, index, seen, 1000);
  }
}

/** Wall seconds for `threads` workers to simulate BATCH between them, start-up and warm-up excluded. */
function batchSeconds(threads: number): number {
  const shared = new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const signals = new Int32Array(shared);
  const workers = Array.from({ length: threads }, () => {
    const workerData: SimulationWorkerData = { jobs: BATCH, warmUp: WARM_UP, signals: shared };
    return new Worker(new URL('./simulation-worker.js', import.meta.url), { workerData });
  });
  try {
    waitForCount(signals, SIGNAL_READY, threads, 'the workers to warm up');
    const start = process.hrtime.bigint();
    Atomics.store(signals, SIGNAL_GO, 1);
    Atomics.notify(signals, SIGNAL_GO);
    waitForCount(signals, SIGNAL_DONE, threads, 'the batch');
    const elapsed = seconds(start);
    if (Atomics.load(signals, SIGNAL_FAILED) !== 0) throw new Error('simulation bench: a worker failed');
    return elapsed;
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

export function benchSimulation(): Measurement[] {
  const simulatedS = BATCH.reduce((sum, job) => sum + job.durationS, 0);
  // Best of two rounds each: a batch lasts about a second, so one busy moment of the machine would show.
  const one = Math.min(batchSeconds(1), batchSeconds(1));
  const two = Math.min(batchSeconds(2), batchSeconds(2));
  return [
    realTimeFactor(),
    {
      name: `batch of ${String(BATCH.length)} × 10-min runs, 1 worker thread`,
      perSecond: simulatedS / one,
      unit: ' simulated s',
      note: `${one.toFixed(2)} s wall`,
    },
    {
      name: `batch of ${String(BATCH.length)} × 10-min runs, 2 worker threads`,
      perSecond: simulatedS / two,
      unit: ' simulated s',
      note: `${two.toFixed(2)} s wall, speed-up ×${(one / two).toFixed(2)} over 1 thread`,
    },
  ];
}

// Run alone: node dist/bench/simulation.bench.js
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const m of benchSimulation()) console.log(formatMeasurement(m));
}
