/**
 * The q-quantile of `values` (0 ≤ q ≤ 1) with linear interpolation between
 * order statistics, as numpy's default; null for no values, since a time
 * that never happened has no median.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(at);
  const low = sorted[lo] ?? Number.NaN;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (at - lo);
}

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/** `part / whole`, 0 when there is no whole: a rate over no runs claims nothing. */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** The non-null values. */
export function present(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}
