import { z } from 'zod';
import { AlarmPolicy } from '../alarm/alarm-policy.js';

/** JSON has no NaN: missing features travel as null. */
const FeatureValue = z.number().nullable();

/** A feature vector and the probability the model must give for it, to test-run a model before it goes live. */
export const ReferenceInput = z.object({
  features: z.array(FeatureValue),
  probability: z.number().min(0).max(1),
});
export type ReferenceInput = z.infer<typeof ReferenceInput>;

/**
 * The manifest that travels with every model: what it expects, how its
 * output becomes alarms, how good it was, and what it was made from.
 */
export const ModelManifest = z.object({
  schemaVersion: z.literal(1),
  version: z.string().min(1),
  createdAt: z.iso.datetime(),
  family: z.string().min(1),
  model: z.object({
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
    inputName: z.string().min(1),
    outputName: z.string().min(1),
  }),
  featureNames: z.array(z.string().min(1)).min(1),
  /** Trees need none; a network would carry per-feature mean and scale here. */
  normalisation: z.union([z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }), z.null()]),
  alarm: AlarmPolicy,
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number()),
  data: z.object({ sha256: z.string(), runs: z.number().int().nonnegative(), description: z.string() }),
  referenceInputs: z.array(ReferenceInput),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

export function toJsonVector(vector: Float32Array): (number | null)[] {
  return Array.from(vector, (v) => (Number.isNaN(v) ? null : v));
}

export function fromJsonVector(values: readonly (number | null)[]): Float32Array {
  return Float32Array.from(values, (v) => v ?? Number.NaN);
}
