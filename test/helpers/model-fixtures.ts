import { trainGbdt } from '../../factory/training/gbdt.js';
import type { GbdtModel } from '../../factory/training/gbdt-model.js';
import { exportGbdtToOnnx } from '../../factory/training/onnx-export.js';
import { createPrng } from '../../factory/training/prng.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import { buildManifest } from '../../shared/model/build-manifest.js';
import type { ModelManifest } from '../../shared/model/manifest.js';

export const WIDTH = FEATURE_NAMES.length;
const column = (name: string): number => FEATURE_NAMES.indexOf(name);
const TEMP_DEV = column('temp_dev');
const CO_DEV = column('co_dev');
const PM25_DEV = column('pm25_dev');

/** Vectors of the real feature width: uniform in [-1, 1], about `missingRate` of values NaN. */
export function syntheticVectors(count: number, seed: number, missingRate = 0.1): Float32Array[] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: WIDTH }, () =>
      prng.next() < missingRate ? Number.NaN : prng.next() * 2 - 1,
    ),
  );
}

/** A trained GBDT over FEATURE_NAMES and its ONNX bytes. */
export interface TinyModel {
  readonly gbdt: GbdtModel;
  readonly bytes: Uint8Array;
}

/** Trains a small model in well under a second; different seeds give different models. */
export function trainTinyModel(seed: number): TinyModel {
  const rows = syntheticVectors(2000, seed, 0.1);
  const noise = createPrng(seed + 1000);
  const labels = Uint8Array.from(rows, (r) => {
    const heat = Number.isNaN(r[TEMP_DEV] ?? 0) ? 0.5 : (r[TEMP_DEV] ?? 0);
    const smoke = (r[CO_DEV] ?? 0) * (r[PM25_DEV] ?? 0);
    return heat + 0.5 * (Number.isNaN(smoke) ? 0 : smoke) + (noise.next() - 0.5) * 0.6 > 0.1 ? 1 : 0;
  });
  const values = new Float32Array(rows.length * WIDTH);
  rows.forEach((r, i) => values.set(r, i * WIDTH));
  const { model } = trainGbdt(
    { features: { values, rows: rows.length, cols: WIDTH }, labels },
    { nTrees: 15, maxDepth: 3, learningRate: 0.3, maxBins: 32, seed },
  );
  return {
    gbdt: model,
    bytes: exportGbdtToOnnx(model, { emberwatchVersion: '0.1.0', featureNames: FEATURE_NAMES }),
  };
}

/** The manifest a trainer would write for `model`, with 16 reference inputs. */
export function tinyManifest(model: TinyModel, version: string): Promise<ModelManifest> {
  return buildManifest({
    modelBytes: model.bytes,
    version,
    params: { nTrees: 15, maxDepth: 3 },
    metrics: { auc: 0.9 },
    data: { sha256: 'synthetic', runs: 0, description: 'synthetic vectors for tests' },
    referenceVectors: syntheticVectors(16, 7, 0.2),
    createdAt: new Date('2025-01-01T00:00:00Z'),
  });
}
