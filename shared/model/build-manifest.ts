import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../alarm/alarm-policy.js';
import { FEATURE_NAMES } from '../features/feature-set.js';
import { parseManifest, toJsonVector, type ModelManifest } from './manifest.js';
import { sha256Hex } from './model-dir.js';
import { OnnxModel, loadOnnxModel } from './onnx-model.js';

/** What a trainer knows about a model; the rest of the manifest is computed. */
export interface BuildManifestInput {
  readonly modelBytes: Uint8Array;
  readonly version: string;
  /** Model family, 'gbdt' by default. */
  readonly family?: string;
  /** The model's file name beside manifest.json, 'model.onnx' by default. */
  readonly file?: string;
  /** Graph input and output; the GBDT exporter's 'features' and 'probability' by default. */
  readonly inputName?: string;
  readonly outputName?: string;
  /** FEATURE_NAMES by default. */
  readonly featureNames?: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly alarm?: AlarmPolicy;
  readonly data: ModelManifest['data'];
  /** Vectors to record with the probabilities ONNX Runtime gives for them now. */
  readonly referenceVectors: readonly Float32Array[];
  readonly createdAt?: Date;
}

/**
 * Builds the manifest for a model: its SHA-256, and reference inputs whose
 * probabilities come from ONNX Runtime itself, so that a device reproduces
 * exactly what the builder saw. Throws EMBER_ERR_MODEL_LOAD when the bytes
 * are not a model with the named input and output.
 */
export async function buildManifest(input: BuildManifestInput): Promise<ModelManifest> {
  const draft = parseManifest({
    schemaVersion: 1,
    version: input.version,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    family: input.family ?? 'gbdt',
    model: {
      file: input.file ?? 'model.onnx',
      sha256: sha256Hex(input.modelBytes),
      inputName: input.inputName ?? 'features',
      outputName: input.outputName ?? 'probability',
    },
    featureNames: [...(input.featureNames ?? FEATURE_NAMES)],
    normalisation: null,
    alarm: input.alarm ?? DEFAULT_ALARM_POLICY,
    params: { ...input.params },
    metrics: { ...input.metrics },
    data: input.data,
    referenceInputs: [],
  });
  const model: OnnxModel = await loadOnnxModel(input.modelBytes, draft);
  try {
    const probabilities = await model.predict(input.referenceVectors);
    return parseManifest({
      ...draft,
      referenceInputs: input.referenceVectors.map((vector, i) => ({
        features: toJsonVector(vector),
        probability: probabilities[i],
      })),
    });
  } finally {
    await model.close();
  }
}
