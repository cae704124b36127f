import type { ProtocolName } from '../../shared/schemas/readings.js';
import type { ValueSource } from '../devices/value-source.js';
import {
  traceValueSource,
  type RunTrace,
  type ValueSource as TraceSource,
} from '../../shared/dataset/run-trace.js';
import { simulateRun } from '../sensors/simulate-run.js';
import { planRun, RUN_LEAD_IN_S, type PlannedRun } from './fleet-schedule.js';
import type { FleetGateway } from './fleet-zones.js';
import { blendReports, handoverWeight } from './run-blend.js';

interface Simulated {
  readonly trace: RunTrace;
  readonly sources: Map<ProtocolName, TraceSource<ProtocolName>>;
}

/**
 * Simulated runs kept at once: the one playing, the one before (it plays on
 * under the lead-in, and late frames), the next, and one spare so that
 * simulating the next ahead never drops the one still fading out.
 */
const KEEP_RUNS = 4;

/**
 * One gateway's endless schedule on its emulated timeline: which run plays
 * at any emulated second, and each module's value there. Runs are planned
 * on demand and simulated once (about 0.1 s each), so memory stays at a few
 * runs however long the fleet plays. Each run is simulated a lead-in
 * longer than it lasts, since it plays on, fading out, under the next run's
 * lead-in: no module jumps where one run gives way to the next.
 */
export class GatewayTimeline {
  readonly gateway: FleetGateway;
  readonly #seed: number;
  readonly #runs: PlannedRun[] = [];
  readonly #simulated = new Map<number, Simulated>();

  constructor(seed: number, gateway: FleetGateway) {
    this.#seed = seed;
    this.gateway = gateway;
  }

  /** The run at position `index`, planning the ones before it as needed. */
  run(index: number): PlannedRun {
    while (this.#runs.length <= index) {
      const last = this.#runs.at(-1);
      const startS = last === undefined ? 0 : last.startS + last.durationS;
      this.#runs.push(planRun(this.#seed, this.gateway, this.#runs.length, startS));
    }
    const run = this.#runs[index];
    if (run === undefined) throw new Error(`run ${index} was not planned`);
    return run;
  }

  /** The run playing at emulated second `tS` (≥ 0). */
  runAt(tS: number): PlannedRun {
    let index = 0;
    // Runs are contiguous: step back from the newest planned run, or forward past it.
    for (let i = this.#runs.length - 1; i >= 0; i--) {
      const run = this.#runs[i];
      if (run !== undefined && run.startS <= tS) {
        index = i;
        break;
      }
    }
    let run = this.run(index);
    while (tS >= run.startS + run.durationS) run = this.run(run.index + 1);
    return run;
  }

  /** Simulates `run` now unless already done; the fleet calls it ahead of time for the next run. */
  prepare(run: PlannedRun): void {
    this.#simulatedOf(run);
  }

  /** Module `protocol` across every run of the schedule: silent only before the start. */
  source<P extends ProtocolName>(protocol: P): ValueSource<P> {
    return {
      valueAt: (tSeconds) => {
        if (tSeconds < 0) return undefined;
        const run = this.runAt(tSeconds);
        const local = tSeconds - run.startS;
        const incoming = this.#sourceOf(run, protocol).valueAt(local);
        if (local >= run.leadInS || run.index === 0) return incoming;
        const before = this.run(run.index - 1);
        const outgoing = this.#sourceOf(before, protocol).valueAt(tSeconds - before.startS);
        return blendReports(protocol, outgoing, incoming, handoverWeight(local / run.leadInS));
      },
    };
  }

  #sourceOf<P extends ProtocolName>(run: PlannedRun, protocol: P): TraceSource<P> {
    const simulated = this.#simulatedOf(run);
    const cached = simulated.sources.get(protocol) as TraceSource<P> | undefined;
    if (cached !== undefined) return cached;
    const made = traceValueSource(simulated.trace, protocol);
    simulated.sources.set(protocol, made);
    return made;
  }

  #simulatedOf(run: PlannedRun): Simulated {
    const known = this.#simulated.get(run.index);
    if (known !== undefined) return known;
    const durationS = run.durationS + RUN_LEAD_IN_S;
    const simulated = { trace: simulateRun(run.scenario, { durationS }), sources: new Map() };
    this.#simulated.set(run.index, simulated);
    for (const index of this.#simulated.keys()) {
      if (index < run.index - (KEEP_RUNS - 2)) this.#simulated.delete(index);
    }
    return simulated;
  }
}
