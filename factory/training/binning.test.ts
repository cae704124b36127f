import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binFeatures, binOf, float32Between, quantileCuts } from './binning.js';

const float32 = fc.float({ noNaN: true, noDefaultInfinity: true });

describe('binning', () => {
  it('puts a value in a bin <= b exactly when it is below cuts[b] (the exported comparison)', () => {
    fc.assert(
      fc.property(
        fc.array(float32, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 40 }),
        float32,
        (raw, maxBins, probe) => {
          const sorted = Float32Array.from(raw).sort();
          const cuts = quantileCuts(sorted, maxBins);
          expect(cuts.length).toBeLessThan(maxBins);
          for (let b = 1; b < cuts.length; b++) expect(cuts[b]).toBeGreaterThan(cuts[b - 1] ?? 0);
          for (const cut of cuts) expect(Math.fround(cut)).toBe(cut);
          const bin = binOf(cuts, probe, maxBins);
          for (let b = 0; b < cuts.length; b++) expect(bin <= b).toBe(probe < (cuts[b] ?? 0));
        },
      ),
    );
  });

  it('chooses a float32 cut strictly above the lower value and at most the upper one', () => {
    fc.assert(
      fc.property(float32, float32, (a, b) => {
        fc.pre(a !== b);
        const [below, upper] = a < b ? [a, b] : [b, a];
        const cut = float32Between(below, upper);
        expect(cut).toBeGreaterThan(below);
        expect(cut).toBeLessThanOrEqual(upper);
        expect(Math.fround(cut)).toBe(cut);
      }),
    );
  });

  it('gives every distinct value its own bin when there are few, however rare', () => {
    const values = Float32Array.from([...Array.from({ length: 1000 }, () => 0), 1, 2]);
    expect(Array.from(quantileCuts(values, 16))).toEqual([0.5, 1.5]);
  });

  it('stores NaN in the missing bin, row-major', () => {
    const binned = binFeatures(
      { values: Float32Array.from([1, Number.NaN, 2, 5, 3, 7]), rows: 3, cols: 2 },
      8,
    );
    expect(binned.bins[1]).toBe(8);
    expect(Array.from(binned.bins.filter((_, i) => i % 2 === 0))).toEqual([0, 1, 2]);
  });
});
