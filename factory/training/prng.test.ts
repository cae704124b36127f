import { describe, expect, it } from 'vitest';
import { createPrng, deriveSeed, sampleSortedIndices } from './prng.js';

describe('prng', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const draws = Array.from({ length: 1000 }, () => a.next());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(990);
    expect(createPrng(8).next()).not.toBe(draws[0]);
  });

  it('samples distinct sorted indices', () => {
    const sample = Array.from(sampleSortedIndices(50, 20, createPrng(1)));
    expect(new Set(sample).size).toBe(20);
    expect(sample).toEqual([...sample].sort((x, y) => x - y));
    expect(sample.every((i) => i >= 0 && i < 50)).toBe(true);
  });

  it('derives different seeds for different salts', () => {
    expect(new Set([0, 1, 2, 3].map((salt) => deriveSeed(42, salt))).size).toBe(4);
  });
});
