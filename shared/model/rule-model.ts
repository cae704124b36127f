import { EmberError } from '../errors.js';
import { FEATURE_NAMES } from '../features/feature-set.js';
import type { FireModel } from './fire-model.js';

/** 0 below `from`, 1 above `to`, linear between; NaN (missing) gives 0. */
function ramp(value: number | undefined, from: number, to: number): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, (value - from) / (to - from)));
}

/**
 * The multi-criteria fallback that runs when no model is loaded or the model
 * fails, so a device never goes blind. Like commercial multi-sensor
 * detectors it wants two independent signs of fire before it is sure: one
 * strong sign alone reaches a heads-up, not an alarm, unless it is extreme
 * (a heat detector's fixed 57 °C, or a growing hotspot far above the room).
 */
export function ruleProbability(f: (name: string) => number | undefined): number {
  const steam = ramp(f('humidity_level'), 80, 92) * ramp(f('humidity_d60'), 0, 0.05);
  const dust = ramp(f('pm_coarse_ratio'), 0.7, 1.2);
  const smoke =
    ramp(f('pm25_dev'), 1.5, 3) *
    ramp(f('pm25_level'), Math.log1p(35), Math.log1p(150)) *
    (1 - steam) *
    (1 - dust);
  const co = ramp(f('co_dev'), 8, 30) * ramp(f('co_d60'), 0, 0.05);
  const heat = Math.max(ramp(f('temp_dev'), 6, 15), ramp(f('temp_d60'), 0.08, 0.15));
  const hotspot =
    ramp(f('tmax_level'), 80, 150) * ramp(f('thot_d60'), 0, 0.1) * (1 - ramp(f('thermal_motion10'), 1, 3));
  const signs = [smoke, co, heat, hotspot].sort((a, b) => b - a);
  const extreme = Math.max(
    ramp(f('temp_level'), 54, 57),
    ramp(f('tmax_level'), 200, 250) * ramp(f('thot_d60'), 0, 0.1),
  );
  return Math.min(1, Math.max(extreme, 0.6 * (signs[0] ?? 0) + 0.4 * (signs[1] ?? 0)));
}

/** The rule fallback behind the same interface as a trained model. */
export class RuleModel implements FireModel {
  readonly version = 'rules';
  readonly featureNames = FEATURE_NAMES;
  readonly #index = new Map(FEATURE_NAMES.map((name, i) => [name, i]));
  #closed = false;

  predict(vectors: readonly Float32Array[]): Promise<Float32Array> {
    if (this.#closed) return Promise.reject(new EmberError('EMBER_ERR_MODEL_CLOSED', 'rule model is closed'));
    const out = new Float32Array(vectors.length);
    for (const [row, vector] of vectors.entries()) {
      if (vector.length !== FEATURE_NAMES.length) {
        const message = `vector ${row} has ${vector.length} features; the rules take ${FEATURE_NAMES.length}`;
        return Promise.reject(new EmberError('EMBER_ERR_MODEL_INPUT', message));
      }
      out[row] = ruleProbability((name) => vector[this.#index.get(name) ?? -1]);
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
