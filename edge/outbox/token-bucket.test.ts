import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('gives the burst at once, then tokens at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 5, { now: () => now });
    let taken = 0;
    while (bucket.tryTake()) taken++;
    expect(taken).toBe(5);
    expect(bucket.msUntilNext()).toBe(10);
    now += 10;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('never allows more than rate × seconds + burst over a long run', () => {
    let now = 0;
    const bucket = new TokenBucket(95, 5, { now: () => now });
    let taken = 0;
    for (; now <= 10_000; now += 3) while (bucket.tryTake()) taken++;
    expect(taken).toBeLessThanOrEqual(95 * 10 + 5);
    expect(taken).toBeGreaterThanOrEqual(95 * 10);
  });

  it('does not save up beyond its burst', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 3, { now: () => now });
    now += 60_000;
    expect(bucket.available()).toBe(3);
  });
});
