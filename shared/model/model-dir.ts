import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../errors.js';
import { FEATURE_NAMES } from '../features/feature-set.js';
import { writeFileAtomically } from '../object-store/atomic-file.js';
import { assertFeatureSet, decodeManifest, fromJsonVector, type ModelManifest } from './manifest.js';
import { loadOnnxModel, type OnnxModel, type OnnxModelOptions } from './onnx-model.js';

/** The manifest's file name in a model folder; the model file is named by the manifest. */
export const MANIFEST_FILE = 'manifest.json';

/** How far a probability may stray from its reference value: float32 rounding, not a different model. */
export const REFERENCE_TOLERANCE = 1e-4;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What loading may relax. */
export interface LoadModelDirOptions extends OnnxModelOptions {
  /** Feature names the model must take; FEATURE_NAMES by default. */
  readonly featureNames?: readonly string[];
  readonly tolerance?: number;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${path}`, { cause: error });
  }
}

/**
 * Opens the model in `dir` only if it is the one its manifest describes and
 * behaves as it did when it was built: the manifest passes its schema, the
 * features are the ones this software computes (EMBER_ERR_MODEL_FEATURES),
 * the file matches its SHA-256 (EMBER_ERR_MODEL_CHECKSUM), ONNX Runtime
 * accepts it (EMBER_ERR_MODEL_LOAD), and it reproduces every reference
 * probability (EMBER_ERR_MODEL_REFERENCE).
 */
export async function loadModelDir(dir: string, options: LoadModelDirOptions = {}): Promise<OnnxModel> {
  const manifest = decodeManifest(await readBytes(join(dir, MANIFEST_FILE)));
  assertFeatureSet(manifest, options.featureNames ?? FEATURE_NAMES);
  const bytes = await readBytes(join(dir, manifest.model.file));
  const actual = sha256Hex(bytes);
  if (actual !== manifest.model.sha256) {
    throw new EmberError(
      'EMBER_ERR_MODEL_CHECKSUM',
      `model ${manifest.version}: ${manifest.model.file} has SHA-256 ${actual}, manifest says ${manifest.model.sha256}`,
    );
  }
  const model = await loadOnnxModel(bytes, manifest, options);
  try {
    await checkReferenceInputs(model, options.tolerance ?? REFERENCE_TOLERANCE);
  } catch (error) {
    await model.close();
    throw error;
  }
  return model;
}

/**
 * Test-runs the manifest's reference inputs in one batch. A model with none
 * is refused too: it could not prove that it runs as it was trained.
 */
export async function checkReferenceInputs(model: OnnxModel, tolerance = REFERENCE_TOLERANCE): Promise<void> {
  const { referenceInputs, version } = model.manifest;
  if (referenceInputs.length === 0) {
    throw new EmberError('EMBER_ERR_MODEL_REFERENCE', `model ${version}: manifest has no reference inputs`);
  }
  const width = model.featureNames.length;
  const bad = referenceInputs.findIndex((r) => r.features.length !== width);
  if (bad !== -1) {
    throw new EmberError(
      'EMBER_ERR_MODEL_REFERENCE',
      `model ${version}: reference input ${bad} has ${referenceInputs[bad]?.features.length ?? 0} features, expected ${width}`,
    );
  }
  let got: Float32Array;
  try {
    got = await model.predict(referenceInputs.map((r) => fromJsonVector(r.features)));
  } catch (error) {
    throw new EmberError('EMBER_ERR_MODEL_REFERENCE', `model ${version}: reference inputs do not run`, {
      cause: error,
    });
  }
  referenceInputs.forEach((reference, i) => {
    const p = got[i] ?? Number.NaN;
    if (!(Math.abs(p - reference.probability) <= tolerance)) {
      throw new EmberError(
        'EMBER_ERR_MODEL_REFERENCE',
        `model ${version}: reference input ${i} gives ${p}, manifest expects ${reference.probability}`,
      );
    }
  });
}

/**
 * Writes a model folder: the model file first, then the manifest, each
 * atomically, so a folder with a manifest always has the model it names.
 */
export async function writeModelDir(dir: string, manifest: ModelManifest, bytes: Uint8Array): Promise<void> {
  await writeFileAtomically(join(dir, manifest.model.file), (tmp) => writeFile(tmp, bytes));
  const text = encodeManifest(manifest);
  await writeFileAtomically(join(dir, MANIFEST_FILE), (tmp) => writeFile(tmp, text));
}

/** The bytes of manifest.json as Emberwatch writes it; an offer signs the SHA-256 of exactly these bytes. */
export function encodeManifest(manifest: ModelManifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}
