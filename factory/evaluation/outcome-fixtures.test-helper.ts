import type { RunLabels } from '../../shared/dataset/run-labels.js';
import type { FireClassName } from '../../shared/dataset/scenario-schema.js';
import type { DetectorName, ScoredRun } from './run-outcome.js';

type Detectors = Partial<Record<DetectorName, number>>;

function detectors(d: Detectors): RunLabels['detectors'] {
  const all = [d.smoke, d.heat_fixed, d.rate_of_rise, d.co].filter((s): s is number => s !== undefined);
  return {
    smoke_s: d.smoke ?? null,
    heat_fixed_s: d.heat_fixed ?? null,
    rate_of_rise_s: d.rate_of_rise ?? null,
    co_s: d.co ?? null,
    earliest_s: all.length === 0 ? null : Math.min(...all),
  };
}

/** Labels of a fire run of `fireClass` igniting at `ignitionS`. */
export function fireLabels(
  ignitionS: number,
  d: Detectors,
  fireClass: FireClassName = 'tf4-flaming-pu',
): RunLabels {
  return {
    class: { kind: 'fire', fire_class: fireClass, smouldering: false },
    nuisances: [],
    ignition_s: ignitionS,
    detectors: detectors(d),
  };
}

export function nuisanceLabels(kind: 'toast' | 'frying', d: Detectors = {}): RunLabels {
  return {
    class: { kind: 'nuisance', nuisance: kind },
    nuisances: [kind],
    ignition_s: null,
    detectors: detectors(d),
  };
}

export function normalLabels(): RunLabels {
  return { class: { kind: 'normal' }, nuisances: [], ignition_s: null, detectors: detectors({}) };
}

/** One probability a second for `seconds` + 1 steps: each [from, p] holds p from that second on (0 before the first). */
export function schedule(seconds: number, steps: readonly (readonly [number, number])[]): Float32Array {
  return Float32Array.from({ length: seconds + 1 }, (_, t) => {
    let p = 0;
    for (const [from, value] of steps) if (t >= from) p = value;
    return p;
  });
}

/** A run to score: one step a second from 0. */
export function scored(runId: string, labels: RunLabels, probabilities: Float32Array): ScoredRun {
  return {
    runId,
    labels,
    durationS: probabilities.length - 1,
    t: Float64Array.from(probabilities, (_, i) => i),
    probabilities,
  };
}
