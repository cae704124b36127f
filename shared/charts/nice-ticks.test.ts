import { describe, expect, it } from 'vitest';
import { formatMmSs, formatTickValue, niceStep, niceTicks, niceTimeStep } from './nice-ticks.js';

describe('niceStep', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.7)).toBeCloseTo(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(19)).toBe(20);
    expect(niceStep(0.031)).toBeCloseTo(0.05);
  });
});

describe('niceTimeStep', () => {
  it('prefers whole minutes and hours', () => {
    expect(niceTimeStep(40)).toBe(60);
    expect(niceTimeStep(250)).toBe(300);
    expect(niceTimeStep(3000)).toBe(3600);
    expect(niceTimeStep(0.3)).toBeCloseTo(0.5);
  });
});

describe('niceTicks', () => {
  it('grows the domain to whole steps', () => {
    const ticks = niceTicks(3, 97, 5);
    expect(ticks).toMatchObject({ min: 0, max: 100, step: 20 });
    expect(ticks.ticks).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('keeps a fixed domain and ticks only inside it', () => {
    const ticks = niceTicks(-3, 17, 4, { fixed: true });
    expect([ticks.min, ticks.max]).toEqual([-3, 17]);
    expect(ticks.ticks).toEqual([0, 5, 10, 15]);
  });

  it('returns the two ends when the step vanishes against the values', () => {
    const ticks = niceTicks(1e16, 1e16 + 2, 5);
    expect(ticks.ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.ticks.every(Number.isFinite)).toBe(true);
  });

  it('stays finite across the widest drawable range', () => {
    const ticks = niceTicks(-1e300, 1e300, 5);
    expect(ticks.ticks.every(Number.isFinite)).toBe(true);
    expect(ticks.ticks.length).toBeLessThan(20);
  });

  it('uses minute steps for time axes', () => {
    expect(niceTicks(0, 600, 6, { time: true }).step).toBe(120);
  });
});

describe('formatTickValue', () => {
  it('shows the decimals the step needs', () => {
    expect(formatTickValue(0.5, 0.5)).toBe('0.5');
    expect(formatTickValue(20, 20)).toBe('20');
    expect(formatTickValue(0.15, 0.05)).toBe('0.15');
  });

  it('uses exponents for huge values and prints zero plainly', () => {
    expect(formatTickValue(2e9, 1e9)).toBe('2e+9');
    expect(formatTickValue(-1e-17, 0.2)).toBe('0');
  });
});

describe('formatMmSs', () => {
  it('formats minutes and hours', () => {
    expect(formatMmSs(125)).toBe('2:05');
    expect(formatMmSs(3725)).toBe('1:02:05');
    expect(formatMmSs(-30)).toBe('−0:30');
  });

  it('rounds before splitting so seconds never read 60', () => {
    expect(formatMmSs(59.6)).toBe('1:00');
    expect(formatMmSs(59.996, 0.01)).toBe('1:00.00');
    expect(formatMmSs(61.25, 0.5)).toBe('1:01.3');
  });
});
