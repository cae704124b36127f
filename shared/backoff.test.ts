import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles from 250 ms to the 5 s cap without jitter', () => {
    const policy = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((attempt) => backoffDelayMs(attempt, policy))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('stays within ±jitter of the base delay and never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random, jitter) => {
          const policy = { initialMs: 250, maxMs: 5000, jitter };
          const base = Math.min(5000, 250 * 2 ** Math.min(attempt, 30));
          const delay = backoffDelayMs(attempt, policy, () => random);
          return (
            delay >= Math.floor(base * (1 - jitter)) &&
            delay <= Math.min(5000, Math.ceil(base * (1 + jitter)))
          );
        },
      ),
    );
  });
});

describe('backoffDelayMs with full jitter', () => {
  it('draws below the doubling ceiling, from zero up', () => {
    const policy = { initialMs: 100, maxMs: 1000, jitter: 'full' as const };
    expect([0, 1, 2, 3, 10].map((attempt) => backoffDelayMs(attempt, policy, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });
});

describe('backoffDelayMs as the cloud ingest uses it', () => {
  it('doubles from the first delay up to the cap, spread by at most 20 %', () => {
    const policy = { initialMs: 100, maxMs: 1000, jitter: 0.2 };
    expect([0, 1, 2, 3, 10].map((attempt) => backoffDelayMs(attempt, policy, () => 0.5))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(0, policy, () => 0)).toBe(80);
    expect(backoffDelayMs(10, policy, () => 0.999)).toBe(1000);
  });
});
