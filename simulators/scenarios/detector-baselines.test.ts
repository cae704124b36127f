import { describe, expect, it } from 'vitest';
import { coAlarmTime, detectorAlarmTimes } from './detector-baselines.js';
import { allocateEnvSeries } from '../../shared/dataset/env-series.js';

/** A constant CO level sampled once a minute for `minutes`. */
const constant = (ppm: number, minutes: number) => new Float64Array(minutes).fill(ppm);

describe('UL 2034 CO alarm model', () => {
  it.each([
    [400, 4, 15],
    [150, 10, 50],
    [70, 60, 240],
  ])('alarms at a constant %d ppm between %d and %d minutes', (ppm, min, max) => {
    const t = coAlarmTime(constant(ppm, 300), 60);
    expect(t).not.toBeNull();
    expect((t ?? 0) / 60).toBeGreaterThanOrEqual(min);
    expect((t ?? 0) / 60).toBeLessThanOrEqual(max);
  });

  it('never alarms at a constant 30 ppm, even over 30 days', () => {
    expect(coAlarmTime(constant(30, 30 * 24 * 60), 60)).toBeNull();
  });

  it('does not depend on the sampling step', () => {
    const perSecond = coAlarmTime(new Float64Array(3600).fill(400), 1);
    const perMinute = coAlarmTime(constant(400, 60), 60);
    expect(Math.abs((perSecond ?? 0) - (perMinute ?? 0))).toBeLessThanOrEqual(60);
  });
});

describe('conventional detectors on an environment series', () => {
  const series = (length: number) => allocateEnvSeries(length, 1, []);

  it('trips smoke at 5 %/m, fixed heat at 57 °C and names the earliest', () => {
    const env = series(600);
    for (let i = 0; i < 600; i++) {
      env.obscuration_pct_m[i] = i * 0.02; // 5 %/m at 250 s
      env.temp_c[i] = 20 + i * 0.1; // 57 °C at 370 s, 6 °C/min: never rate-of-rise
    }
    const t = detectorAlarmTimes(env);
    expect(t.smoke_s).toBe(250);
    expect(t.heat_fixed_s).toBe(370);
    expect(t.rate_of_rise_s).toBeNull();
    expect(t.co_s).toBeNull();
    expect(t.earliest_s).toBe(250);
  });

  it('trips rate-of-rise on 8.3 °C within a minute but not on a slower rise', () => {
    const fast = series(300);
    const slow = series(300);
    for (let i = 0; i < 300; i++) {
      fast.temp_c[i] = 20 + Math.max(0, i - 100) * 0.15; // 9 °C/min from 100 s
      slow.temp_c[i] = 20 + i * 0.13; // 7.8 °C/min
    }
    expect(detectorAlarmTimes(fast).rate_of_rise_s).toBe(156); // 0.15 × 56 s ≥ 8.3 °C
    expect(detectorAlarmTimes(slow).rate_of_rise_s).toBeNull();
  });
});
