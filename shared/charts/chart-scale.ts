import { clampValue } from './nice-ticks.js';

/** Maps data values to pixels along one axis. */
export type Scale = (value: number) => number;

/** A linear map from [lo, hi] onto [from, to]; values are clamped first so the arithmetic stays finite. */
export function linearScale(lo: number, hi: number, from: number, to: number): Scale {
  const span = hi - lo;
  return (value) => from + ((clampValue(value) - lo) / span) * (to - from);
}

/** The smallest and largest finite values, clamped to the drawable range; undefined when there are none. */
export function finiteExtent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    const v = clampValue(value);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * Opens up a range too narrow to draw (a constant series, a single point) so
 * the data sits in the middle of the axis instead of dividing by zero.
 */
export function widenDegenerate([lo, hi]: readonly [number, number]): [number, number] {
  if (hi - lo > Math.max(Math.abs(lo), Math.abs(hi)) * 1e-9) return [lo, hi];
  const mid = lo / 2 + hi / 2;
  const pad = Math.max(Math.abs(mid) * 0.05, 1);
  return [clampValue(mid - pad), clampValue(mid + pad)];
}

/** Every value of an array-like, for extent scans. */
export function* valuesOf(values: ArrayLike<number>): Generator<number> {
  for (let i = 0; i < values.length; i++) yield values[i] ?? NaN;
}
