import { z } from 'zod';
import { RegistryName } from './registry-layout.js';

/** One training run or search trial: what went in and what came out. */
export const Experiment = z.object({
  id: RegistryName,
  /** The model the experiment produced or belongs to; null for a trial that made no registered model. */
  modelVersion: RegistryName.nullable().default(null),
  params: z.record(z.string(), z.unknown()),
  /** JSON has no NaN: a metric that could not be computed is null. */
  metrics: z.record(z.string(), z.number().nullable()),
  dataSha256: z.string().min(1),
  createdAt: z.iso.datetime(),
});
export type Experiment = z.infer<typeof Experiment>;
/** An experiment as callers write it: `modelVersion` may be left out. */
export type ExperimentInput = z.input<typeof Experiment>;
