import { z } from 'zod';
import { detectorAlarmTimes } from './detector-baselines.js';
import type { EnvSeries } from './env-series.js';
import { EVERYDAY_KINDS } from './nuisance-kinds.js';
import { FireClassName, NuisanceKind } from './scenario-schema.js';
import type { Scenario } from './scenario-schema.js';

/** What a run is, for training and evaluation. A fire anywhere in the run makes it a fire run. */
export const RunClass = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fire'), fire_class: FireClassName, smouldering: z.boolean() }),
  z.object({ kind: z.literal('nuisance'), nuisance: NuisanceKind }),
  z.object({ kind: z.literal('normal') }),
]);
export type RunClass = z.infer<typeof RunClass>;

const alarmTime = z.number().nonnegative().nullable();

/** Labels of one run, stored beside it as JSON. */
export const RunLabels = z.object({
  class: RunClass,
  /** Every nuisance kind active in the run, everyday ones included. */
  nuisances: z.array(NuisanceKind),
  /** Seconds from run start; null without a fire. */
  ignition_s: z.number().nonnegative().nullable(),
  /**
   * When the fire first shows at the sensor's place (smoke, heat, CO or CO₂
   * above what was there at ignition, or flames in the camera's view);
   * null without a fire, or when it never shows. Before this a fire run
   * looks like any quiet room: no model can know, so training leaves those
   * seconds out. Runs labelled before it existed have none (undefined).
   */
  observable_s: z.number().nonnegative().nullable().optional(),
  /** Conventional detectors on the true environment, seconds from run start. */
  detectors: z.object({
    smoke_s: alarmTime,
    heat_fixed_s: alarmTime,
    rate_of_rise_s: alarmTime,
    co_s: alarmTime,
    earliest_s: alarmTime,
  }),
});
export type RunLabels = z.infer<typeof RunLabels>;

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
