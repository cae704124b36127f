import type { EnvSeries } from './env-series.js';

/**
 * Conventional detectors, the baselines Emberwatch must beat. They read the
 * TRUE environment of the engine (no sensor noise, lag or faults), which is
 * how a listed detector is specified; the times are seconds from run start.
 */

/** Photoelectric alarm threshold, %/m (NIST measured home alarms at 5.1 ± 1 %/m). */
export const SMOKE_ALARM_OBSCURATION_PCT_M = 5;
/** Fixed-temperature heat detector, °C (135 °F). */
export const FIXED_HEAT_ALARM_C = 57;
/** Rate-of-rise heat detector, °C per minute, measured over {@link RATE_OF_RISE_WINDOW_S}. */
export const RATE_OF_RISE_C_PER_MIN = 8.3;
export const RATE_OF_RISE_WINDOW_S = 60;

/**
 * UL 2034 CO alarm as a dose bucket: it fills at (C − 40 ppm) per minute and
 * drains below 40 ppm; the alarm sounds at 3600 ppm·min. That gives 70 ppm →
 * 120 min (window 60–240), 150 ppm → 33 min (10–50), 400 ppm → 10 min (4–15),
 * and 30 ppm never, as the standard requires.
 */
export const CO_DOSE_FLOOR_PPM = 40;
export const CO_DOSE_ALARM_PPM_MIN = 3600;

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
  let dose = 0;
  for (let i = 0; i < coPpm.length; i++) {
    dose = Math.max(0, dose + (((coPpm[i] ?? 0) - CO_DOSE_FLOOR_PPM) * stepS) / 60);
    if (dose >= CO_DOSE_ALARM_PPM_MIN) return i * stepS;
  }
  return null;
}

function firstAtOrAbove(values: Float64Array, threshold: number, stepS: number): number | null {
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) >= threshold) return i * stepS;
  return null;
}

function rateOfRiseTime(temp: Float64Array, stepS: number): number | null {
  const lag = Math.max(1, Math.round(RATE_OF_RISE_WINDOW_S / stepS));
  const rise = (RATE_OF_RISE_C_PER_MIN * lag * stepS) / 60;
  for (let i = lag; i < temp.length; i++) if ((temp[i] ?? 0) - (temp[i - lag] ?? 0) >= rise) return i * stepS;
  return null;
}

/** When each conventional detector would have alarmed on `env`. */
export function detectorAlarmTimes(env: EnvSeries): DetectorAlarmTimes {
  const times = {
    smoke_s: firstAtOrAbove(env.obscuration_pct_m, SMOKE_ALARM_OBSCURATION_PCT_M, env.step_s),
    heat_fixed_s: firstAtOrAbove(env.temp_c, FIXED_HEAT_ALARM_C, env.step_s),
    rate_of_rise_s: rateOfRiseTime(env.temp_c, env.step_s),
    co_s: coAlarmTime(env.co_ppm, env.step_s),
  };
  const all = Object.values(times).filter((x): x is number => x !== null);
  return { ...times, earliest_s: all.length > 0 ? Math.min(...all) : null };
}
