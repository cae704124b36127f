import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimateMinMax } from './series-decimation.js';

describe('decimateMinMax', () => {
  it('keeps a short series as it is', () => {
    const points = { t: [0, 1, 2], values: [5, 1, 7] };
    expect(decimateMinMax(points, 10)).toBe(points);
  });

  it('keeps at most two points a bucket, in time order, including the extremes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (values, buckets) => {
          const t = values.map((_, i) => i * 0.25);
          const out = decimateMinMax({ t, values }, buckets);
          const outT = Array.from(out.t);
          const outValues = Array.from(out.values);
          expect(outT.length).toBeLessThanOrEqual(Math.max(values.length, 2 * buckets));
          expect(outT).toEqual([...outT].sort((a, b) => a - b));
          outT.forEach((time, k) => expect(values[Math.round(time / 0.25)]).toBe(outValues[k]));
          expect(Math.max(...outValues)).toBe(Math.max(...values));
          expect(Math.min(...outValues)).toBe(Math.min(...values));
        },
      ),
    );
  });
});
