import { detectorAlarmTimes } from './detector-baselines.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import { EVERYDAY_KINDS } from './nuisance-kinds.js';
import type { RunClass, RunLabels } from '../../shared/dataset/run-labels.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';

/** Labels of a run of `scenario` whose true environment is `env`. */
export function labelRun(scenario: Scenario, env: EnvSeries): RunLabels {
  const durationS = (env.length - 1) * env.step_s;
  const fire = scenario.fire !== null && scenario.fire.ignition_s <= durationS ? scenario.fire : null;
  const active = scenario.nuisances.filter((n) => n.start_s <= durationS).map((n) => n.kind);
  const unusual = active.find((k) => !EVERYDAY_KINDS.has(k));
  let runClass: RunClass;
  if (fire) runClass = { kind: 'fire', fire_class: fire.fire_class, smouldering: fire.smouldering };
  else if (unusual !== undefined) runClass = { kind: 'nuisance', nuisance: unusual };
  else runClass = { kind: 'normal' };
  return {
    class: runClass,
    nuisances: [...new Set(active)],
    ignition_s: fire ? fire.ignition_s : null,
    observable_s: fire ? observableAt(env, fire.ignition_s) : null,
    detectors: detectorAlarmTimes(env),
  };
}

/** Changes at the sensor that a module or the camera shows, over their value at ignition. */
const VISIBLE = { obscurationPctM: 0.2, tempC: 1, coPpm: 5, co2Ppm: 100, flameExcessC: 8 } as const;

/** First time at or after `ignitionS` that the fire shows at the sensor's place, or null. */
export function observableAt(env: EnvSeries, ignitionS: number): number | null {
  const start = Math.max(0, Math.ceil(ignitionS / env.step_s));
  const at = (field: 'obscuration_pct_m' | 'temp_c' | 'co_ppm' | 'co2_ppm'): number =>
    env[field][Math.min(start, env.length - 1)] ?? 0;
  const base = { obs: at('obscuration_pct_m'), temp: at('temp_c'), co: at('co_ppm'), co2: at('co2_ppm') };
  for (let i = start; i < env.length; i++) {
    const flame = (env.thermal_sources[i] ?? []).some(
      (s) => s.label === 'fire' && s.coverage * (s.temp_c - (env.surface_c[i] ?? 0)) >= VISIBLE.flameExcessC,
    );
    if (
      flame ||
      (env.obscuration_pct_m[i] ?? 0) - base.obs >= VISIBLE.obscurationPctM ||
      (env.temp_c[i] ?? 0) - base.temp >= VISIBLE.tempC ||
      (env.co_ppm[i] ?? 0) - base.co >= VISIBLE.coPpm ||
      (env.co2_ppm[i] ?? 0) - base.co2 >= VISIBLE.co2Ppm
    ) {
      return i * env.step_s;
    }
  }
  return null;
}
