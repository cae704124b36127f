import { describe, expect, it } from 'vitest';
import { Rng, hashLabel, mixSeed } from './prng.js';

describe('Rng', () => {
  it('repeats its sequence for the same seed and diverges for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws uniforms in [0, 1) and Gaussians with mean 0 and unit spread', () => {
    const rng = new Rng(7);
    let sum = 0;
    let sumSq = 0;
    const n = 20_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      const g = rng.gaussian();
      sum += g;
      sumSq += g * g;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
  });

  it('forks streams by label, independent of how far the parent has run', () => {
    const parent = new Rng(5);
    const before = parent.fork('noise').next();
    parent.next();
    expect(parent.fork('noise').next()).toBe(before);
    expect(parent.fork('unit').next()).not.toBe(before);
  });

  it('mixes seeds and labels into distinct 32-bit values', () => {
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(hashLabel('tf1')).not.toBe(hashLabel('tf2'));
    expect(mixSeed(3)).toBeLessThan(2 ** 32);
  });
});
