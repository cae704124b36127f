import '../../shared/model/onnx-runtime-env.js';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { trainGbdt } from './gbdt.js';
import { predictMargin, predictProbability, type GbdtModel } from './gbdt-model.js';
import { exportGbdtToOnnx, ONNX_INPUT, ONNX_MARGIN_OUTPUT, ONNX_PROBABILITY_OUTPUT } from './onnx-export.js';
import { onnxModelType } from './onnx-schema.js';
import { createPrng } from './prng.js';
import { syntheticSet } from './synthetic-data.test-helper.js';
import type { FeatureMatrix } from './training-set.js';

const COLS = 6;

function trainedModel(): GbdtModel {
  const data = syntheticSet(
    4000,
    COLS,
    11,
    (row, noise) => {
      const a = Number.isNaN(row[0] ?? 0) ? 0.8 : (row[0] ?? 0);
      return a + 0.5 * (row[1] ?? 0) * (row[2] ?? 0) + (noise - 0.5) * 0.6 > 0.1 ? 1 : 0;
    },
    0.15,
  );
  return trainGbdt(data, { nTrees: 40, maxDepth: 4, learningRate: 0.3, maxBins: 32, seed: 3 }).model;
}

/** Random rows plus, for every split, rows exactly at its threshold, one float32 step below it, and NaN. */
function probeRows(model: GbdtModel, count: number): FeatureMatrix {
  const prng = createPrng(99);
  const rows: number[][] = [];
  const random = (): number[] =>
    Array.from({ length: COLS }, () => (prng.next() < 0.1 ? Number.NaN : prng.next() * 2.4 - 1.2));
  for (const tree of model.trees) {
    for (const node of tree.nodes) {
      if (node.kind !== 'split') continue;
      for (const value of [node.threshold, nextFloat32Below(node.threshold), Number.NaN]) {
        const row = random();
        row[node.feature] = value;
        rows.push(row);
      }
    }
  }
  while (rows.length < count) rows.push(random());
  rows.push(Array.from({ length: COLS }, () => Number.NaN));
  rows.push(Array.from({ length: COLS }, () => Number.POSITIVE_INFINITY));
  rows.push(Array.from({ length: COLS }, () => Number.NEGATIVE_INFINITY));
  return { values: Float32Array.from(rows.flat()), rows: rows.length, cols: COLS };
}

function nextFloat32Below(value: number): number {
  const bits = new Float32Array([value]);
  const view = new Int32Array(bits.buffer);
  view[0] = (view[0] ?? 0) + (value > 0 ? -1 : 1);
  return bits[0] ?? value;
}

async function runOnnx(
  bytes: Uint8Array,
  matrix: FeatureMatrix,
): Promise<{ probability: Float32Array; margin: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor('float32', matrix.values, [matrix.rows, matrix.cols]);
    const result = await session.run({ [ONNX_INPUT]: input });
    const probability = result[ONNX_PROBABILITY_OUTPUT];
    const margin = result[ONNX_MARGIN_OUTPUT];
    if (probability === undefined || margin === undefined) throw new Error('missing output');
    expect(probability.dims).toEqual([matrix.rows]);
    expect(margin.dims).toEqual([matrix.rows]);
    return { probability: probability.data as Float32Array, margin: margin.data as Float32Array };
  } finally {
    await session.release();
  }
}

describe('exportGbdtToOnnx', () => {
  const model = trainedModel();

  it('gives ONNX Runtime the trainer’s own probabilities, NaNs and threshold edges included', async () => {
    const matrix = probeRows(model, 3000);
    const bytes = exportGbdtToOnnx(model, { emberwatchVersion: '0.1.0' });
    const onnx = await runOnnx(bytes, matrix);
    const expected = predictProbability(model, matrix);
    const expectedMargin = predictMargin(model, matrix);
    let worst = 0;
    let worstMargin = 0;
    for (let i = 0; i < matrix.rows; i++) {
      worst = Math.max(worst, Math.abs((onnx.probability[i] ?? Number.NaN) - (expected[i] ?? 0)));
      worstMargin = Math.max(
        worstMargin,
        Math.abs((onnx.margin[i] ?? Number.NaN) - (expectedMargin[i] ?? 0)),
      );
    }
    expect(matrix.rows).toBeGreaterThan(3000);
    expect(worst).toBeLessThan(1e-5);
    expect(worstMargin).toBeLessThan(1e-4);
  });

  it('embeds metadata and declares the documented input and outputs', () => {
    const names = Array.from({ length: COLS }, (_, i) => `channel_${i}`);
    const bytes = exportGbdtToOnnx(model, {
      emberwatchVersion: '9.9.9',
      featureNames: names,
      metadata: { run: 'r1' },
    });
    const decoded = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number }) as {
      metadataProps: { key: string; value: string }[];
      graph: { input: { name: string }[]; output: { name: string }[] };
    };
    const props = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    expect(props['emberwatch.version']).toBe('9.9.9');
    expect(JSON.parse(props['emberwatch.feature_names'] ?? '[]')).toEqual(names);
    expect(props['run']).toBe('r1');
    expect(decoded.graph.input.map((i) => i.name)).toEqual([ONNX_INPUT]);
    expect(decoded.graph.output.map((o) => o.name)).toEqual([ONNX_PROBABILITY_OUTPUT, ONNX_MARGIN_OUTPUT]);
  });

  it('exports a model without trees as its base rate', async () => {
    const empty: GbdtModel = { ...model, trees: [], baseScore: Math.fround(-1.5) };
    const matrix = probeRows(empty, 4);
    const onnx = await runOnnx(exportGbdtToOnnx(empty, { emberwatchVersion: '0.1.0' }), matrix);
    expect(onnx.probability[0]).toBeCloseTo(1 / (1 + Math.exp(1.5)), 6);
  });

  it('rejects feature names that do not match the model and reserved metadata keys', () => {
    expect(() => exportGbdtToOnnx(model, { emberwatchVersion: '1', featureNames: ['a'] })).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_MODEL' }),
    );
    expect(() =>
      exportGbdtToOnnx(model, { emberwatchVersion: '1', metadata: { 'emberwatch.version': 'x' } }),
    ).toThrow(expect.objectContaining({ code: 'EMBER_ERR_BAD_MODEL' }));
  });
});
