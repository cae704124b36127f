import { z } from 'zod';
import { FireClassName, NuisanceKind } from '../../shared/dataset/scenario-schema.js';

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
