/** Tick positions of an axis and the rounded domain they span. */
export interface AxisTicks {
  /** Lower end of the axis, a multiple of `step` unless the domain was fixed. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** Values beyond this are clamped before any arithmetic, so spans and steps stay finite. */
export const VALUE_LIMIT = 1e300;

/** Steps a reader can count in when the axis is time: seconds, then minutes, then hours. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200];

export function clampValue(value: number): number {
  return Math.min(VALUE_LIMIT, Math.max(-VALUE_LIMIT, value));
}

/** The 1-2-5 step nearest above `rawStep`. */
export function niceStep(rawStep: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const normalised = rawStep / magnitude;
  const factor = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10;
  return factor * magnitude;
}

/** Like {@link niceStep}, but in whole seconds, minutes or hours once the step reaches a second. */
export function niceTimeStep(rawStep: number): number {
  if (rawStep < 1) return niceStep(rawStep);
  const step = TIME_STEPS_S.find((candidate) => candidate >= rawStep);
  return step ?? niceStep(rawStep / 3600) * 3600;
}

/**
 * Ticks for the domain [lo, hi] (lo < hi, both finite) at about `targetCount`
 * intervals. With `fixed` the domain is kept as given; otherwise it grows to
 * the nearest multiples of the step, so the axis starts and ends on a tick.
 */
export function niceTicks(
  lo: number,
  hi: number,
  targetCount: number,
  options: { time?: boolean; fixed?: boolean } = {},
): AxisTicks {
  const span = hi - lo;
  const rawStep = span / Math.max(1, targetCount);
  const step = options.time === true ? niceTimeStep(rawStep) : niceStep(rawStep);
  // At the limits of double precision a step can vanish against the values; two ticks then say all there is.
  if (!(step > 0) || !Number.isFinite(step) || lo + step === lo || hi - step === hi) {
    return { min: lo, max: hi, step: span, ticks: [lo, hi] };
  }
  const min = options.fixed === true ? lo : clampValue(Math.floor(lo / step) * step);
  const max = options.fixed === true ? hi : clampValue(Math.ceil(hi / step) * step);
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  const tolerance = step * 1e-9;
  for (let k = first; ticks.length < 100; k++) {
    const tick = k * step;
    if (tick > max + tolerance) break;
    ticks.push(Math.abs(tick) < tolerance ? 0 : tick);
  }
  return { min, max, step, ticks };
}

/** A tick label with as many decimals as the step needs; exponent form for very large or small values. */
export function formatTickValue(value: number, step: number): string {
  const magnitude = Math.abs(value);
  if (magnitude < Math.abs(step) * 1e-6 || magnitude === 0) return '0';
  if (magnitude >= 1e6 || magnitude < 1e-3) {
    const digits = Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(Math.abs(step)));
    return value.toExponential(Math.min(6, Math.max(0, digits)));
  }
  const decimals = Math.min(10, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  return value.toFixed(decimals);
}

/** Seconds as m:ss, or h:mm:ss from an hour on; fractions of a second only when the step has them. */
export function formatMmSs(seconds: number, step = 1): string {
  const sign = seconds < 0 ? '−' : '';
  const decimals = step < 1 ? Math.min(3, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
  const factor = 10 ** decimals;
  // Rounding first means 59.996 s becomes 1:00, never 0:60.
  const total = Math.round(Math.abs(seconds) * factor) / factor;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total - hours * 3600) / 60);
  const secs = (total - hours * 3600 - minutes * 60)
    .toFixed(decimals)
    .padStart(decimals > 0 ? 3 + decimals : 2, '0');
  if (hours > 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${secs}`;
  return `${sign}${minutes}:${secs}`;
}
