import type { PositionMetrics } from './position-metrics.js';

/**
 * What "reproduces" means per position: each time (to +2, +5 and +10 °C,
 * and smoke arrival) within ±45 s, or missing on both sides within the
 * record; each temperature rise (two and three minutes after ignition)
 * within a factor of 2.5 or 3 °C; the CO₂ rise within a factor of 3 or
 * 300 ppm. The smoke meters' steps make the measured arrival uncertain by
 * tens of seconds, and the heat release of each test is known only as the
 * ramp its FDS model used.
 */
export const TOLERANCE = {
  timeS: 45,
  riseFactor: 2.5,
  riseC: 3,
  co2Factor: 3,
  co2Ppm: 300,
} as const;

export const CHECKS = [
  'rise2S',
  'rise5S',
  'rise10S',
  'smokeArrivalS',
  'riseAt120',
  'riseAt180',
  'co2RiseEndPpm',
] as const;
export type Check = (typeof CHECKS)[number];

const withinTime = (m: number | null, s: number | null): boolean =>
  (m === null && s === null) || (m !== null && s !== null && Math.abs(m - s) <= TOLERANCE.timeS);

const withinRatio = (m: number | null, s: number | null, factor: number, slack: number): boolean | null => {
  if (m === null || s === null) return null;
  if (Math.abs(m - s) <= slack) return true;
  const a = Math.max(m, 0.01);
  const b = Math.max(s, 0.01);
  return Math.max(a / b, b / a) <= factor;
};

/** Per check: true when within tolerance, false when not, null when the measurement has none. */
export function checkPosition(m: PositionMetrics, s: PositionMetrics): Record<Check, boolean | null> {
  return {
    rise2S: withinTime(m.rise2S, s.rise2S),
    rise5S: withinTime(m.rise5S, s.rise5S),
    rise10S: withinTime(m.rise10S, s.rise10S),
    smokeArrivalS: withinTime(m.smokeArrivalS, s.smokeArrivalS),
    riseAt120: withinRatio(m.riseAt120, s.riseAt120, TOLERANCE.riseFactor, TOLERANCE.riseC),
    riseAt180: withinRatio(m.riseAt180, s.riseAt180, TOLERANCE.riseFactor, TOLERANCE.riseC),
    co2RiseEndPpm: withinRatio(m.co2RiseEndPpm, s.co2RiseEndPpm, TOLERANCE.co2Factor, TOLERANCE.co2Ppm),
  };
}
