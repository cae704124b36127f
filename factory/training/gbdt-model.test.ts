import { describe, expect, it } from 'vitest';
import { parseGbdtModel, predictMargin, predictRowMargin, type GbdtModel } from './gbdt-model.js';

const model: GbdtModel = {
  format: 'emberwatch-gbdt',
  formatVersion: 1,
  objective: 'binary-logistic',
  nFeatures: 2,
  baseScore: 0.5,
  trees: [
    {
      nodes: [
        { kind: 'split', feature: 1, threshold: 0.25, left: 1, right: 2, missingGoesLeft: false },
        { kind: 'leaf', value: -1 },
        { kind: 'leaf', value: 2 },
      ],
    },
  ],
};

describe('GBDT model', () => {
  it('sends values below the threshold left, at or above it right, and NaN the learned way', () => {
    const values = Float32Array.from([0, 0.2, 0, 0.25, 0, Number.NaN]);
    expect(Array.from(predictMargin(model, { values, rows: 3, cols: 2 }))).toEqual([-0.5, 2.5, 2.5]);
  });

  it('rounds plain row values to float32 before comparing', () => {
    // 0.25000000001 rounds to 0.25 in float32, so it goes right like the ONNX model would.
    expect(predictRowMargin(model, [0, 0.25000000001])).toBe(2.5);
  });

  it('rejects a tree whose child points backwards or a feature out of range', () => {
    const loop = {
      ...model,
      trees: [
        {
          nodes: [
            { ...model.trees[0]?.nodes[0], left: 0 },
            { kind: 'leaf', value: 0 },
          ],
        },
      ],
    };
    expect(() => parseGbdtModel(loop)).toThrow(expect.objectContaining({ code: 'EMBER_ERR_BAD_MODEL' }));
    expect(() => parseGbdtModel({ ...model, nFeatures: 1 })).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_MODEL' }),
    );
    expect(() => parseGbdtModel({ ...model, format: 'xgboost' })).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_MODEL' }),
    );
  });
});
