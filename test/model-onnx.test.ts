import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictProbability } from '../factory/training/gbdt-model.js';
import { ONNX_INPUT, ONNX_PROBABILITY_OUTPUT } from '../factory/training/onnx-export.js';
import { isEmberError, type ErrorCode } from '../shared/errors.js';
import { FEATURE_NAMES } from '../shared/features/feature-set.js';
import { fromJsonVector, type ModelManifest } from '../shared/model/manifest.js';
import {
  encodeManifest,
  loadModelDir,
  MANIFEST_FILE,
  sha256Hex,
  writeModelDir,
} from '../shared/model/model-dir.js';
import { loadOnnxModel } from '../shared/model/onnx-model.js';
import {
  syntheticVectors,
  tinyManifest,
  trainTinyModel,
  WIDTH,
  type TinyModel,
} from './helpers/model-fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await rejection(promise);
  expect(isEmberError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
}

describe('loadModelDir', () => {
  let tiny: TinyModel;
  let manifest: ModelManifest;
  let root: string;
  let count = 0;

  async function dirWith(m: ModelManifest, bytes = tiny.bytes): Promise<string> {
    count += 1;
    const dir = join(root, `m${count}`);
    await writeModelDir(dir, m, bytes);
    return dir;
  }

  beforeAll(async () => {
    tiny = trainTinyModel(3);
    manifest = await tinyManifest(tiny, 'onnx-test-1');
    root = await mkdtemp(join(tmpdir(), 'ember-model-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('gives the trainer’s own probabilities within 1e-5, missing values included', async () => {
    const model = await loadModelDir(await dirWith(manifest));
    try {
      const vectors = [...syntheticVectors(500, 21, 0.3), new Float32Array(WIDTH).fill(Number.NaN)];
      const values = new Float32Array(vectors.length * WIDTH);
      vectors.forEach((v, i) => values.set(v, i * WIDTH));
      const expected = predictProbability(tiny.gbdt, { values, rows: vectors.length, cols: WIDTH });
      const got = await model.predict(vectors);
      let worst = 0;
      got.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - (expected[i] ?? Number.NaN)))));
      expect(worst).toBeLessThan(1e-5);
      expect(new Set(got).size).toBeGreaterThan(10);
      expect(model.version).toBe('onnx-test-1');
      expect(model.manifest.alarm).toEqual(manifest.alarm);
    } finally {
      await model.close();
    }
  });

  it('builds manifests whose reference inputs round-trip NaN as null and match ONNX Runtime', async () => {
    expect(manifest.model).toMatchObject({ inputName: ONNX_INPUT, outputName: ONNX_PROBABILITY_OUTPUT });
    expect(manifest.model.sha256).toBe(sha256Hex(tiny.bytes));
    expect(manifest.featureNames).toEqual(FEATURE_NAMES);
    expect(manifest.referenceInputs).toHaveLength(16);
    expect(manifest.referenceInputs.some((r) => r.features.includes(null))).toBe(true);
    const direct = await loadOnnxModel(tiny.bytes, manifest);
    const got = await direct.predict(manifest.referenceInputs.map((r) => fromJsonVector(r.features)));
    await direct.close();
    expect(Array.from(got)).toEqual(manifest.referenceInputs.map((r) => r.probability));
  });

  it('refuses a model trained on another feature set with EMBER_ERR_MODEL_FEATURES', async () => {
    const swapped = [...FEATURE_NAMES];
    [swapped[0], swapped[1]] = [swapped[1] ?? '', swapped[0] ?? ''];
    await expectCode(
      loadModelDir(await dirWith({ ...manifest, featureNames: swapped })),
      'EMBER_ERR_MODEL_FEATURES',
      /feature 0/,
    );
    const shorter = { ...manifest, featureNames: FEATURE_NAMES.slice(1) };
    await expectCode(loadModelDir(await dirWith(shorter)), 'EMBER_ERR_MODEL_FEATURES');
  });

  it('refuses a model file that does not match its SHA-256 with EMBER_ERR_MODEL_CHECKSUM', async () => {
    const dir = await dirWith(manifest);
    const bytes = Buffer.from(await readFile(join(dir, 'model.onnx')));
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 1;
    await writeFile(join(dir, 'model.onnx'), bytes);
    await expectCode(loadModelDir(dir), 'EMBER_ERR_MODEL_CHECKSUM');
  });

  it('refuses a model that does not reproduce its reference inputs with EMBER_ERR_MODEL_REFERENCE', async () => {
    const off = manifest.referenceInputs.map((r, i) =>
      i === 5 ? { ...r, probability: r.probability > 0.5 ? r.probability - 0.01 : r.probability + 0.01 } : r,
    );
    await expectCode(
      loadModelDir(await dirWith({ ...manifest, referenceInputs: off })),
      'EMBER_ERR_MODEL_REFERENCE',
      /reference input 5/,
    );
    await expectCode(
      loadModelDir(await dirWith({ ...manifest, referenceInputs: [] })),
      'EMBER_ERR_MODEL_REFERENCE',
      /no reference/,
    );
    const slightly = manifest.referenceInputs.map((r) => ({
      ...r,
      probability: Math.min(1, r.probability + 5e-5),
    }));
    const model = await loadModelDir(await dirWith({ ...manifest, referenceInputs: slightly }));
    await model.close();
  });

  it('refuses graphs without the named input or output with EMBER_ERR_MODEL_LOAD, and non-models too', async () => {
    const renamed = { ...manifest, model: { ...manifest.model, outputName: 'score' } };
    await expectCode(loadModelDir(await dirWith(renamed)), 'EMBER_ERR_MODEL_LOAD', /no output 'score'/);
    const junk = new TextEncoder().encode('not an onnx model');
    const junkManifest = { ...manifest, model: { ...manifest.model, sha256: sha256Hex(junk) } };
    await expectCode(loadModelDir(await dirWith(junkManifest, junk)), 'EMBER_ERR_MODEL_LOAD');
  });

  it('refuses a missing or malformed manifest', async () => {
    await expectCode(loadModelDir(join(root, 'nothing-here')), 'EMBER_ERR_FILE_UNREADABLE');
    const dir = await dirWith(manifest);
    await writeFile(join(dir, MANIFEST_FILE), '{"schemaVersion": 1');
    await expectCode(loadModelDir(dir), 'EMBER_ERR_MODEL_MANIFEST');
    const escaping = { ...JSON.parse(new TextDecoder().decode(encodeManifest(manifest))) } as ModelManifest;
    escaping.model = { ...escaping.model, file: '../model.onnx' };
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(escaping));
    await expectCode(loadModelDir(dir), 'EMBER_ERR_MODEL_MANIFEST', /manifest\.model\.file/);
  });

  it('waits for predictions in flight before closing, and refuses new ones', async () => {
    const model = await loadModelDir(await dirWith(manifest));
    const inFlight = model.predict(syntheticVectors(1, 1));
    const closed = model.close();
    expect((await inFlight)[0]).toBeGreaterThanOrEqual(0);
    await closed;
    await expectCode(model.predict(syntheticVectors(1, 1)), 'EMBER_ERR_MODEL_CLOSED');
  });
});
