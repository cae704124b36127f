import type { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { ModelManifest } from '../../shared/model/manifest.js';
import { EvaluationSummary } from './evaluation-summary.js';
import { Experiment, type ExperimentInput } from './experiment.js';
import { RegistryName } from './registry-layout.js';
import type { ModelRecord } from './catalog-schema.js';
import { sha256Hex } from './registry-objects.js';

export interface RegisterInput {
  modelBytes: Uint8Array;
  manifest: ModelManifest;
  evaluation: EvaluationSummary;
  experiments?: readonly ExperimentInput[];
  /** An HTML evaluation report, stored as report.html. */
  report?: string | Uint8Array;
}

export interface RegisterResult {
  /** False when the same model was already registered under this version. */
  created: boolean;
  record: ModelRecord;
}

/** A registration whose parts are valid and agree with each other. */
export interface CheckedRegistration {
  version: string;
  sha256: string;
  modelBytes: Uint8Array;
  manifest: ModelManifest;
  evaluation: EvaluationSummary;
  experiments: Experiment[];
  report?: string | Uint8Array;
}

/** Parses `value` with `schema`, or throws EMBER_ERR_REGISTRY_BAD_INPUT naming the first bad field. */
export function validated<S extends z.ZodType>(what: string, schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new EmberError(
    'EMBER_ERR_REGISTRY_BAD_INPUT',
    `${what}${path === '' ? '' : ` at ${path}`}: ${issue?.message ?? 'invalid'}`,
  );
}

/**
 * Checks a registration before anything is written: schemas, the evaluation
 * and experiments naming this model, and the bytes matching the manifest's
 * sha256. Pure apart from hashing.
 */
export function checkRegistration(input: RegisterInput): CheckedRegistration {
  const manifest = validated('manifest', ModelManifest, input.manifest);
  const version = validated('manifest version', RegistryName, manifest.version);
  const evaluation = validated('evaluation', EvaluationSummary, input.evaluation);
  if (evaluation.modelVersion !== version) {
    throw new EmberError(
      'EMBER_ERR_REGISTRY_BAD_INPUT',
      `the evaluation is of model ${evaluation.modelVersion}, not ${version}`,
    );
  }
  const experiments = (input.experiments ?? []).map((raw, i) => {
    const experiment = validated(`experiment ${i}`, Experiment, raw);
    if (experiment.modelVersion !== null && experiment.modelVersion !== version) {
      throw new EmberError(
        'EMBER_ERR_REGISTRY_BAD_INPUT',
        `experiment ${experiment.id} belongs to model ${experiment.modelVersion}, not ${version}`,
      );
    }
    return { ...experiment, modelVersion: version };
  });
  const sha256 = sha256Hex(input.modelBytes);
  if (input.modelBytes.length === 0 || sha256 !== manifest.model.sha256) {
    throw new EmberError(
      'EMBER_ERR_REGISTRY_CHECKSUM',
      `model bytes of ${version} have sha256 ${sha256}, the manifest says ${manifest.model.sha256}`,
    );
  }
  const checked = { version, sha256, modelBytes: input.modelBytes, manifest, evaluation, experiments };
  return input.report === undefined ? checked : { ...checked, report: input.report };
}
