import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, logLoss, thresholdReport } from './metrics.js';

describe('metrics', () => {
  it('computes AUC for perfect, reversed, tied and one-class scores', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1], [0.3, 0.4])).toBeNaN();
  });

  it('agrees with counting positive-negative pairs, weights included', () => {
    const row = fc.record({
      label: fc.constantFrom(0, 1),
      score: fc.integer({ min: 0, max: 5 }),
      weight: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 40 }), (rows) => {
        let right = 0;
        let pairs = 0;
        for (const p of rows.filter((r) => r.label === 1)) {
          for (const n of rows.filter((r) => r.label === 0)) {
            const w = p.weight * n.weight;
            pairs += w;
            right += w * (p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0);
          }
        }
        const got = auc(
          rows.map((r) => r.label),
          rows.map((r) => r.score),
          rows.map((r) => r.weight),
        );
        if (pairs === 0) expect(got).toBeNaN();
        else expect(got).toBeCloseTo(right / pairs, 12);
      }),
    );
  });

  it('computes log loss and keeps it finite for confident mistakes', () => {
    expect(logLoss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 12);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
    expect(logLoss([1, 0], [0.9, 0.9], [3, 1])).toBeCloseTo((-3 * Math.log(0.9) - Math.log(0.1)) / 4, 12);
  });

  it('reports accuracy, precision and recall at a threshold', () => {
    const report = thresholdReport([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.7], 0.5);
    expect(report).toMatchObject({
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
    });
    expect(report.accuracy).toBeCloseTo(3 / 5);
    expect(report.precision).toBeCloseTo(2 / 3);
    expect(report.recall).toBeCloseTo(2 / 3);
    expect(thresholdReport([0, 0], [0.1, 0.2]).precision).toBe(0);
  });
});
