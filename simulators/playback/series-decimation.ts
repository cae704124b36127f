/** A time series as two parallel arrays. */
export interface Points {
  readonly t: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/**
 * Thins a series to at most about `2 × buckets` points for drawing: time is
 * cut into equal buckets and each keeps its lowest and highest point in time
 * order, so spikes and dips survive where averaging would flatten them.
 * Short series come back unchanged.
 */
export function decimateMinMax(points: Points, buckets: number): Points {
  const count = Math.min(points.t.length, points.values.length);
  if (count <= 2 * buckets || buckets < 1) return points;
  const t0 = points.t[0] ?? 0;
  const span = (points.t[count - 1] ?? t0) - t0 || 1;
  const t: number[] = [];
  const values: number[] = [];
  let bucket = -1;
  let lo = -1;
  let hi = -1;
  const flush = (): void => {
    if (lo < 0) return;
    for (const i of lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]) {
      t.push(points.t[i] ?? Number.NaN);
      values.push(points.values[i] ?? Number.NaN);
    }
  };
  for (let i = 0; i < count; i++) {
    const b = Math.min(buckets - 1, Math.floor((((points.t[i] ?? t0) - t0) / span) * buckets));
    const v = points.values[i] ?? Number.NaN;
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = hi = i;
      continue;
    }
    if (v < (points.values[lo] ?? v)) lo = i;
    if (v > (points.values[hi] ?? v)) hi = i;
  }
  flush();
  return { t, values };
}
