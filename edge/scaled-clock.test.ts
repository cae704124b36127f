import { afterEach, describe, expect, it, vi } from 'vitest';
import { scaledClock } from './scaled-clock.js';

describe('scaledClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs `scale` times faster than the wall clock and maps its times back onto it', () => {
    vi.useFakeTimers({ now: 1_800_000_000_000, toFake: ['Date', 'performance'] });
    const clock = scaledClock(10);
    vi.advanceTimersByTime(6_000);
    const now = clock.now();
    expect(now).toBe(1_800_000_060_000);
    expect(clock.wallOf(now)).toBe(Date.now());
    expect(clock.wallOf(1_800_000_000_000)).toBe(1_800_000_000_000);
  });

  it('is the wall clock itself at scale 1', () => {
    const clock = scaledClock(1);
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(clock.wallOf(12_345)).toBe(12_345);
  });
});
