import { describe, expect, it } from 'vitest';
import {
  CO_DOSE_ALARM_PPM_MIN,
  CoDoseDetector,
  fixedHeatAlarm,
  RateOfRiseDetector,
} from './conventional-detectors.js';

/** First second (1 Hz samples of `value(t)`) at which `detector` alarms, or null within `seconds`. */
function firstAlarm(
  update: (t: number, v: number) => boolean,
  value: (t: number) => number,
  seconds: number,
) {
  for (let t = 0; t <= seconds; t++) if (update(t, value(t))) return t;
  return null;
}

describe('fixed heat (57 °C)', () => {
  it('alarms at 57 °C and not a tenth below', () => {
    expect(fixedHeatAlarm(56.9)).toBe(false);
    expect(fixedHeatAlarm(57)).toBe(true);
    expect(fixedHeatAlarm(85)).toBe(true);
    expect(fixedHeatAlarm(Number.NaN)).toBe(false);
  });
});

describe('rate of rise (8.3 °C per minute)', () => {
  it('alarms once the rise over the last minute reaches 8.3 °C, not at 8.2 °C/min', () => {
    const slow = new RateOfRiseDetector();
    expect(
      firstAlarm(
        (t, v) => slow.update(t, v),
        (t) => 20 + (8.2 / 60) * t,
        600,
      ),
    ).toBeNull();
    const fast = new RateOfRiseDetector();
    const at = firstAlarm(
      (t, v) => fast.update(t, v),
      (t) => 20 + (8.4 / 60) * Math.max(0, t - 100),
      600,
    );
    expect(at).toBe(160);
  });

  it('judges a recording that starts just before a fire against its first sample', () => {
    const d = new RateOfRiseDetector();
    // A 9 °C step 10 s into the recording: over 8.3 °C above where it was "a minute ago".
    expect(
      firstAlarm(
        (t, v) => d.update(t, v),
        (t) => (t < 10 ? 25 : 34),
        30,
      ),
    ).toBe(10);
  });

  it('judges the same rate over a shorter window when given one: 4.15 °C in half a minute', () => {
    const steep = new RateOfRiseDetector(30);
    const ramp = (t: number): number => 20 + (8.4 / 60) * Math.max(0, t - 100);
    expect(firstAlarm((t, v) => steep.update(t, v), ramp, 600)).toBe(130);
    const gentle = new RateOfRiseDetector(30);
    expect(
      firstAlarm(
        (t, v) => gentle.update(t, v),
        (t) => 20 + (8.2 / 60) * t,
        600,
      ),
    ).toBeNull();
  });

  it('ignores missing samples and clears when the temperature levels off', () => {
    const d = new RateOfRiseDetector();
    expect(d.update(0, 20)).toBe(false);
    expect(d.update(1, Number.NaN)).toBe(false);
    expect(d.update(30, 30)).toBe(true);
    expect(d.update(95, 30.5)).toBe(false);
  });
});

describe('CO per UL 2034 (dose bucket)', () => {
  const minutesToAlarm = (ppm: number): number | null => {
    const d = new CoDoseDetector();
    const t = firstAlarm(
      (s, v) => d.update(s, v),
      () => ppm,
      6 * 3600,
    );
    return t === null ? null : t / 60;
  };

  it('alarms within the standard windows: 70 ppm in 60–240 min, 150 in 10–50, 400 in 4–15', () => {
    expect(minutesToAlarm(70)).toBeCloseTo(120, 1);
    expect(minutesToAlarm(150)).toBeGreaterThanOrEqual(10);
    expect(minutesToAlarm(150)).toBeLessThanOrEqual(50);
    expect(minutesToAlarm(400)).toBeGreaterThanOrEqual(4);
    expect(minutesToAlarm(400)).toBeLessThanOrEqual(15);
  });

  it('never alarms at 30 ppm, and drains below 40 ppm', () => {
    expect(minutesToAlarm(30)).toBeNull();
    const d = new CoDoseDetector();
    for (let t = 0; t <= 300; t++) d.update(t, 400);
    const full = d.dose;
    for (let t = 301; t <= 600; t++) d.update(t, 0);
    expect(d.dose).toBeLessThan(full);
    expect(full).toBeLessThan(CO_DOSE_ALARM_PPM_MIN);
  });

  it('counts a long gap as ten seconds, so one reading after an outage cannot fill the bucket', () => {
    const d = new CoDoseDetector();
    d.update(0, 500);
    d.update(3600, 500);
    expect(d.dose).toBeCloseTo(((500 - 40) * 10) / 60, 6);
  });
});
