import {
  CoDoseDetector,
  fixedHeatAlarm,
  RateOfRiseDetector,
  SMOKE_ALARM_OBSCURATION_PCT_M,
} from '../../shared/detection/conventional-detectors.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';

/**
 * Conventional detectors, the baselines Emberwatch must beat. They read the
 * TRUE environment of the engine (no sensor noise, lag or faults), which is
 * how a listed detector is specified; the times are seconds from run start.
 * Their logic is the one the edge's floors apply to its own readings
 * (shared/detection), so the two can never drift apart.
 */

export {
  CO_DOSE_ALARM_PPM_MIN,
  CO_DOSE_FLOOR_PPM,
  FIXED_HEAT_ALARM_C,
  RATE_OF_RISE_C_PER_MIN,
  RATE_OF_RISE_WINDOW_S,
  SMOKE_ALARM_OBSCURATION_PCT_M,
} from '../../shared/detection/conventional-detectors.js';

/** Alarm time of each conventional detector, s from run start; null when it never alarmed. */
export interface DetectorAlarmTimes {
  smoke_s: number | null;
  heat_fixed_s: number | null;
  rate_of_rise_s: number | null;
  co_s: number | null;
  earliest_s: number | null;
}

/** First time (s) at which `coPpm`, sampled every `stepS` seconds, trips the UL 2034 dose model, or null. */
export function coAlarmTime(coPpm: ArrayLike<number>, stepS: number): number | null {
  // Each true sample stands for the step before it: the series has no gaps, whatever its step.
  const detector = new CoDoseDetector(Infinity);
  for (let i = 0; i < coPpm.length; i++) if (detector.update(i * stepS, coPpm[i] ?? 0)) return i * stepS;
  return null;
}

function firstTime(length: number, stepS: number, alarmAt: (i: number) => boolean): number | null {
  for (let i = 0; i < length; i++) if (alarmAt(i)) return i * stepS;
  return null;
}

/** When each conventional detector would have alarmed on `env`. */
export function detectorAlarmTimes(env: EnvSeries): DetectorAlarmTimes {
  const rateOfRise = new RateOfRiseDetector();
  const times = {
    smoke_s: firstTime(
      env.length,
      env.step_s,
      (i) => (env.obscuration_pct_m[i] ?? 0) >= SMOKE_ALARM_OBSCURATION_PCT_M,
    ),
    heat_fixed_s: firstTime(env.length, env.step_s, (i) => fixedHeatAlarm(env.temp_c[i] ?? Number.NaN)),
    rate_of_rise_s: firstTime(env.length, env.step_s, (i) =>
      rateOfRise.update(i * env.step_s, env.temp_c[i] ?? Number.NaN),
    ),
    co_s: coAlarmTime(env.co_ppm, env.step_s),
  };
  const all = Object.values(times).filter((x): x is number => x !== null);
  return { ...times, earliest_s: all.length > 0 ? Math.min(...all) : null };
}
