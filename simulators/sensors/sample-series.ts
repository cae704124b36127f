import type { Sample } from '../../shared/dataset/sensor-series.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import type { Rng } from '../scenarios/prng.js';
import type { SensorFault } from '../../shared/dataset/scenario-schema.js';

/**
 * What the scalar sensor models share: sample schedules, the first-order
 * response every real module has, quantisation, and faults applied to the
 * reported values (never to the module's internal state, which keeps
 * evolving underneath a stuck or silent output as it would on a real line).
 */

/** What every module model reads: the true environment, its faults and its own random stream. */
export interface SensorInput {
  readonly env: EnvSeries;
  readonly durationS: number;
  /** Only the faults of this module. */
  readonly faults: readonly SensorFault[];
  /** Draws the unit's own calibration, then its noise. */
  readonly rng: Rng;
}

/** How a module misbehaves when a fault hits its main channel. */
export interface FaultHooks<V> {
  /** The value reported when the module is pinned at full scale. */
  saturate(values: V): V;
  /** `values` with the main channel off by `amount` (its unit), still within range. */
  drift(values: V, amount: number): V;
}

/** Times k·period + phase within [0, durationS]. */
export function sampleTimes(durationS: number, periodS: number, phaseS = 0): number[] {
  const times: number[] = [];
  for (let k = 0; ; k++) {
    const t = phaseS + k * periodS;
    if (t > durationS + 1e-9) return times;
    times.push(t);
  }
}

/** Exact step of a first-order lag with time constant `tauS` towards `target`. */
export function lagStep(state: number, target: number, dtS: number, tauS: number): number {
  if (tauS <= 0) return target;
  return target + (state - target) * Math.exp(-dtS / tauS);
}

/** First-order time constant for a given T90 (90 % of a step). */
export function tauFromT90(t90S: number): number {
  return t90S / Math.LN10;
}

/** Limits `x` to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Rounds to a multiple of `step`, avoiding binary noise such as 0.30000000000000004. */
export function quantise(x: number, step: number): number {
  const decimals = Math.max(0, Math.round(-Math.log10(step)));
  return Number((Math.round(x / step) * step).toFixed(decimals));
}

/**
 * Runs `produce` at every time in `times` (so internal states advance even
 * when nothing is reported) and applies `faults` to the reports.
 */
export function faultedSamples<V>(
  times: readonly number[],
  produce: (t: number) => V,
  faults: readonly SensorFault[],
  hooks: FaultHooks<V>,
  rng: Rng,
): Sample<V>[] {
  const samples: Sample<V>[] = [];
  const frozen = new Map<SensorFault, V>();
  for (const t of times) {
    let values = produce(t);
    let silent = false;
    for (const f of faults) {
      if (t < f.start_s || t >= f.end_s) continue;
      switch (f.kind) {
        case 'drift':
          values = hooks.drift(values, (f.drift_per_hour * (t - f.start_s)) / 3600);
          break;
        case 'saturation':
          values = hooks.saturate(values);
          break;
        case 'stuck': {
          const held = frozen.get(f) ?? values;
          frozen.set(f, held);
          values = held;
          break;
        }
        case 'dropout':
          if (rng.chance(f.dropout_probability)) silent = true;
          break;
        case 'disconnect':
          silent = true;
          break;
      }
    }
    if (!silent) samples.push({ t_s: t, values });
  }
  return samples;
}
