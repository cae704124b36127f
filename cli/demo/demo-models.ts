import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onnxModelType } from '../../factory/training/onnx-schema.js';
import type { EvaluationSummary } from '../../factory/registry/evaluation-summary.js';
import type { ExperimentInput } from '../../factory/registry/experiment.js';
import type { ModelRegistry } from '../../factory/registry/model-registry.js';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import { buildManifest } from '../../shared/model/build-manifest.js';
import { decodeManifest, fromJsonVector, type ModelManifest } from '../../shared/model/manifest.js';
import { REFERENCE_TOLERANCE } from '../../shared/model/model-dir.js';

/** A model folder as the trainer writes it: manifest, model, evaluation and experiments. */
export interface ShippedModel {
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly bytes: Uint8Array;
  readonly evaluation: EvaluationSummary;
  readonly experiments: ExperimentInput[];
}

/** What the demo registry holds once prepared. */
export interface DemoModels {
  /** The shipped model's version: approved and current unless a later decision changed that. */
  readonly defaultVersion: string;
  /** The same trees re-exported under a version of their own, registered as a candidate for a rollout. */
  readonly rolloutVersion: string;
}

const DECIDER = 'emberwatch demo';

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `cannot read ${path}: ${code}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `${path} is not JSON`, { cause: error });
  }
}

/** Reads the trained model folder `dir` (models/default); the registry validates it on registration. */
export async function readShippedModel(dir: string): Promise<ShippedModel> {
  const manifestPath = join(dir, 'manifest.json');
  let manifest: ModelManifest;
  try {
    manifest = decodeManifest(await readFile(manifestPath));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `${manifestPath}: ${reason}`, { cause: error });
  }
  const modelPath = join(dir, manifest.model.file);
  const bytes = await readFile(modelPath).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `cannot read ${modelPath}: ${code}`, { cause: error });
  });
  const evaluation = (await readJson(join(dir, 'evaluation.json'))) as EvaluationSummary;
  const experimentsPath = join(dir, 'experiments.json');
  const trials = await readJson(experimentsPath);
  if (!Array.isArray(trials)) {
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `${experimentsPath} is not a list of experiments`);
  }
  // The trainer's trials carry no time of their own: they ran when the model was made.
  const experiments = (trials as Record<string, unknown>[]).map((trial): ExperimentInput => ({
    ...(trial as Omit<ExperimentInput, 'createdAt'>),
    createdAt: manifest.createdAt,
  }));
  return { dir, manifest, bytes: new Uint8Array(bytes), evaluation, experiments };
}

/** The version name of the rollout model derived from `version`. */
export function rolloutVersionOf(version: string): string {
  return `${version}-r2`;
}

/**
 * The shipped ONNX model written again as its own artefact: the same graph
 * and trees, ModelProto.model_version 2 and an `emberwatch.release` metadata
 * entry naming `version`. Its bytes, and so its SHA-256, differ from the
 * shipped file; what it computes does not.
 */
export function reexportModel(bytes: Uint8Array, version: string): Uint8Array {
  const type = onnxModelType();
  const proto = type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Record<
    string,
    unknown
  >;
  const metadata = Array.isArray(proto['metadataProps']) ? (proto['metadataProps'] as unknown[]) : [];
  const others = metadata.filter(
    (entry) => (entry as { key?: unknown } | null)?.key !== 'emberwatch.release',
  );
  return type
    .encode(
      type.fromObject({
        ...proto,
        modelVersion: 2,
        metadataProps: [...others, { key: 'emberwatch.release', value: version }],
      }),
    )
    .finish();
}

/**
 * Builds the rollout model from the shipped one: re-exported bytes, a fresh
 * manifest whose reference probabilities ONNX Runtime computes again, and
 * the shipped evaluation under the new version. The evaluation carries over
 * only because the re-export is checked to score the shipped reference
 * inputs exactly as the shipped model does.
 */
export async function buildRolloutModel(shipped: ShippedModel): Promise<{
  bytes: Uint8Array;
  manifest: ModelManifest;
  evaluation: EvaluationSummary;
}> {
  const version = rolloutVersionOf(shipped.manifest.version);
  const bytes = reexportModel(shipped.bytes, version);
  const { manifest: base } = shipped;
  const manifest = await buildManifest({
    modelBytes: bytes,
    version,
    family: base.family,
    file: base.model.file,
    inputName: base.model.inputName,
    outputName: base.model.outputName,
    featureNames: base.featureNames,
    params: base.params,
    metrics: base.metrics,
    alarm: base.alarm,
    data: base.data,
    referenceVectors: base.referenceInputs.map((input) => fromJsonVector(input.features)),
  });
  manifest.referenceInputs.forEach((input, i) => {
    const shippedProbability = base.referenceInputs[i]?.probability ?? Number.NaN;
    if (!(Math.abs(input.probability - shippedProbability) <= REFERENCE_TOLERANCE)) {
      throw new EmberError(
        'EMBER_ERR_BAD_MODEL',
        `the re-exported model scores reference input ${i} ${input.probability}, the shipped one ${shippedProbability}`,
      );
    }
  });
  return { bytes, manifest, evaluation: { ...shipped.evaluation, modelVersion: version } };
}

/**
 * Registers the shipped model and approves it when nothing is in service
 * yet, then registers the rollout model as a candidate. Repeats change
 * nothing: registration of the same bytes is a no-op, and a decision taken
 * since (say, the rollout model approved) is left as it is.
 */
export async function prepareDemoModels(
  registry: ModelRegistry,
  shipped: ShippedModel,
  logger: Logger,
): Promise<DemoModels> {
  const defaultVersion = shipped.manifest.version;
  await registry.register({
    modelBytes: shipped.bytes,
    manifest: shipped.manifest,
    evaluation: shipped.evaluation,
    experiments: shipped.experiments,
  });
  if ((await registry.current()) === undefined) {
    const gate = await registry.checkGate(defaultVersion);
    const reason = gate.approved
      ? 'the shipped default model; gate passed'
      : `the shipped default model, put in service for the demo although the gate said: ${gate.reasons.join('; ')}`;
    await registry.approve(defaultVersion, { by: DECIDER, reason, ...(gate.approved ? { gate } : {}) });
    logger.info({ version: defaultVersion }, 'shipped model approved as the current model');
  }
  const rolloutVersion = rolloutVersionOf(defaultVersion);
  const known = (await registry.list()).some((record) => record.version === rolloutVersion);
  if (!known) {
    const rollout = await buildRolloutModel(shipped);
    await registry.register({
      modelBytes: rollout.bytes,
      manifest: rollout.manifest,
      evaluation: rollout.evaluation,
    });
    logger.info({ version: rolloutVersion }, 'rollout model registered as a candidate');
  }
  return { defaultVersion, rolloutVersion };
}
