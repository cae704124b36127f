import { workerData } from 'node:worker_threads';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';

/**
 * One worker of the simulation benchmark. Shared counters instead of
 * messages let the main thread wait with Atomics.wait, so the benchmark
 * stays synchronous: the worker warms up, counts itself ready, waits for
 * the start signal, claims jobs of the batch one at a time from a shared
 * counter (so a slow run never leaves the other workers idle) and counts
 * itself done.
 */
export interface SimulationJob {
  readonly template: string;
  readonly seed: number;
  readonly durationS: number;
}

export interface SimulationWorkerData {
  /** The whole batch; workers claim its jobs through SIGNAL_NEXT. */
  readonly jobs: readonly SimulationJob[];
  /** Runs simulated before counting ready: until then code is still being optimised. */
  readonly warmUp: readonly SimulationJob[];
  /** Int32 slots: see the SIGNAL_* indices. */
  readonly signals: SharedArrayBuffer;
}

export const SIGNAL_READY = 0;
export const SIGNAL_GO = 1;
export const SIGNAL_DONE = 2;
export const SIGNAL_FAILED = 3;
export const SIGNAL_NEXT = 4;
export const SIGNAL_SLOTS = 5;

function simulate(job: SimulationJob): number {
  const trace = simulateRun(drawScenario(job.template, job.seed), { durationS: job.durationS, thermalHz: 4 });
  return trace.sensors.mcu90640.t_s.length;
}

function runWorker(data: SimulationWorkerData): void {
  const signals = new Int32Array(data.signals);
  try {
    // Warm up until the code is optimised, so every worker count compares the same code.
    for (const job of data.warmUp) simulate(job);
    Atomics.add(signals, SIGNAL_READY, 1);
    Atomics.notify(signals, SIGNAL_READY);
    while (Atomics.load(signals, SIGNAL_GO) === 0) Atomics.wait(signals, SIGNAL_GO, 0);
    for (;;) {
      const job = data.jobs[Atomics.add(signals, SIGNAL_NEXT, 1)];
      if (job === undefined) break;
      simulate(job);
    }
  } catch (error) {
    Atomics.store(signals, SIGNAL_FAILED, 1);
    console.error(error);
  }
  Atomics.add(signals, SIGNAL_DONE, 1);
  Atomics.notify(signals, SIGNAL_DONE);
}

if (workerData !== null && typeof workerData === 'object') runWorker(workerData as SimulationWorkerData);
