import { z } from 'zod';
import { AlarmPolicy } from '../alarm/alarm-policy.js';
import { EmberError } from '../errors.js';

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
    /** A plain file name beside the manifest: no folders, so neither a path nor a URL can escape the model's own folder. */
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected a plain file name'),
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

/** Checks a decoded manifest; throws EMBER_ERR_MODEL_MANIFEST naming the first bad field. */
export function parseManifest(data: unknown): ModelManifest {
  const parsed = ModelManifest.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = ['manifest', ...(issue?.path.map(String) ?? [])].join('.');
  throw new EmberError('EMBER_ERR_MODEL_MANIFEST', `${where}: ${issue?.message ?? 'invalid'}`);
}

/** Decodes manifest.json bytes; throws EMBER_ERR_MODEL_MANIFEST when they are not JSON or fail the schema. */
export function decodeManifest(bytes: Uint8Array): ModelManifest {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new EmberError('EMBER_ERR_MODEL_MANIFEST', 'manifest is not UTF-8 JSON', { cause: error });
  }
  return parseManifest(data);
}

/**
 * Throws EMBER_ERR_MODEL_FEATURES unless the model takes exactly the features
 * this software computes, in the same order: a model trained on another
 * feature set would read every column as something else.
 */
export function assertFeatureSet(manifest: ModelManifest, expected: readonly string[]): void {
  const got = manifest.featureNames;
  const at = expected.findIndex((name, i) => got[i] !== name);
  if (at === -1 && got.length === expected.length) return;
  const where =
    at === -1
      ? `it has ${got.length} features, this software computes ${expected.length}`
      : `feature ${at} is '${got[at] ?? '(none)'}', expected '${expected[at] ?? ''}'`;
  throw new EmberError(
    'EMBER_ERR_MODEL_FEATURES',
    `model ${manifest.version} was trained on another feature set: ${where}`,
  );
}
