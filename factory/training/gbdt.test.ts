import { describe, expect, it } from 'vitest';
import { trainGbdt } from './gbdt.js';
import { parseGbdtModel, predictProbability } from './gbdt-model.js';
import { auc } from './metrics.js';
import { syntheticSet } from './synthetic-data.test-helper.js';
import type { TrainingSet } from './training-set.js';

const feature = (row: Float32Array, f: number): number => row[f] ?? Number.NaN;

describe('trainGbdt', () => {
  it('learns a separable problem (AUC > 0.99 on held-out rows)', () => {
    const rule = (row: Float32Array): number => (feature(row, 0) + feature(row, 1) > 0.2 ? 1 : 0);
    const train = syntheticSet(3000, 5, 1, rule);
    const test = syntheticSet(2000, 5, 2, rule);
    const { model } = trainGbdt(train, { nTrees: 80, maxDepth: 3, learningRate: 0.3 });
    expect(auc(test.labels, predictProbability(model, test.features))).toBeGreaterThan(0.99);
  });

  it('does better than chance on a noisy problem', () => {
    const rule = (row: Float32Array, noise: number): number =>
      feature(row, 2) * feature(row, 3) + (noise - 0.5) * 1.5 > 0 ? 1 : 0;
    const train = syntheticSet(4000, 6, 3, rule);
    const test = syntheticSet(2000, 6, 4, rule);
    const { model } = trainGbdt(train, { nTrees: 60, maxDepth: 4, subsample: 0.8, colsample: 0.8 });
    const score = auc(test.labels, predictProbability(model, test.features));
    expect(score).toBeGreaterThan(0.65);
    expect(score).toBeLessThan(0.99);
  });

  it('learns a default direction for missing values when missingness itself is informative', () => {
    // Fires knock the sensor out: NaN in feature 0 means fire; present values say nothing.
    const rule = (row: Float32Array): number => (Number.isNaN(feature(row, 0)) ? 1 : 0);
    const train = syntheticSet(3000, 3, 5, rule, 0.3);
    const { model } = trainGbdt(train, { nTrees: 20, maxDepth: 2, learningRate: 0.5 });
    const rows = {
      values: Float32Array.from([Number.NaN, 0.1, 0.1, 0.9, 0.1, 0.1, -0.9, 0.1, 0.1]),
      rows: 3,
      cols: 3,
    };
    const [missing, high, low] = predictProbability(model, rows);
    expect(missing).toBeGreaterThan(0.9);
    expect(high).toBeLessThan(0.1);
    expect(low).toBeLessThan(0.1);
    const splits = model.trees.flatMap((t) => t.nodes).filter((n) => n.kind === 'split' && n.feature === 0);
    expect(splits.length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs across seeds when sampling', () => {
    const data = syntheticSet(1500, 6, 6, (row, noise) => (feature(row, 0) + noise > 0.6 ? 1 : 0), 0.1);
    const params = { nTrees: 15, subsample: 0.7, colsample: 0.5, seed: 42 };
    const a = trainGbdt(data, params).model;
    const b = trainGbdt(data, params).model;
    const c = trainGbdt(data, { ...params, seed: 43 }).model;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('round-trips a model through JSON with identical predictions', () => {
    const data = syntheticSet(1000, 4, 7, (row) => (feature(row, 1) > 0 ? 1 : 0), 0.2);
    const { model } = trainGbdt(data, { nTrees: 10 });
    const copy = parseGbdtModel(JSON.parse(JSON.stringify(model)));
    expect(copy).toEqual(model);
    expect(predictProbability(copy, data.features)).toEqual(predictProbability(model, data.features));
  });

  it('honours sample weights: up-weighting positives raises predicted probabilities', () => {
    const data = syntheticSet(2000, 3, 8, (_row, noise) => (noise < 0.2 ? 1 : 0));
    const weights = Float64Array.from(data.labels, (y) => (y === 1 ? 4 : 1));
    const plain = trainGbdt(data, { nTrees: 5 }).model;
    const weighted = trainGbdt({ ...data, weights }, { nTrees: 5 }).model;
    const mean = (p: Float64Array): number => p.reduce((s, v) => s + v, 0) / p.length;
    expect(mean(predictProbability(plain, data.features))).toBeCloseTo(0.2, 1);
    expect(mean(predictProbability(weighted, data.features))).toBeCloseTo(0.5, 1);
  });

  it('stops early on a validation set and keeps the best round', () => {
    const rule = (row: Float32Array, noise: number): number =>
      feature(row, 0) + (noise - 0.5) * 2 > 0 ? 1 : 0;
    const train = syntheticSet(800, 8, 9, rule);
    const validation = syntheticSet(800, 8, 10, rule);
    const result = trainGbdt(
      train,
      { nTrees: 300, maxDepth: 6, minSamplesLeaf: 1, learningRate: 0.5, earlyStoppingRounds: 5 },
      { validation },
    );
    expect(result.model.trees.length).toBe(result.bestIteration);
    expect(result.model.trees.length).toBeLessThan(300);
    const best = Math.min(...result.validationLoss);
    expect(result.validationLoss[result.bestIteration - 1]).toBe(best);
  });

  it('rejects bad labels and bad hyperparameters with stable codes', () => {
    const data = syntheticSet(10, 2, 1, () => 0);
    const bad: TrainingSet = { ...data, labels: [2, ...Array.from(data.labels).slice(1)] };
    expect(() => trainGbdt(bad)).toThrow(expect.objectContaining({ code: 'EMBER_ERR_BAD_TRAINING_DATA' }));
    expect(() => trainGbdt(data, { maxDepth: 0 })).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_HYPERPARAMETERS' }),
    );
    expect(() => trainGbdt(data, { earlyStoppingRounds: 3 })).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_HYPERPARAMETERS' }),
    );
  });
});
