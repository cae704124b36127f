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
    detectors: detectorAlarmTimes(env),
  };
}
