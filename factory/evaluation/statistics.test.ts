import { describe, expect, it } from 'vitest';
import { median, present, quantile, rate } from './statistics.js';

describe('statistics', () => {
  it('interpolates quantiles between order statistics, whatever the input order', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(quantile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9)).toBeCloseTo(9.1, 10);
    expect(quantile([1, 2, 3], 0)).toBe(1);
    expect(quantile([1, 2, 3], 1)).toBe(3);
  });

  it('has no median of nothing, and a rate over nothing of 0', () => {
    expect(median([])).toBeNull();
    expect(quantile([], 0.9)).toBeNull();
    expect(rate(0, 0)).toBe(0);
    expect(rate(3, 4)).toBe(0.75);
    expect(present([1, null, 0, null])).toEqual([1, 0]);
  });
});
