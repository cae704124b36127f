/** The spread of repeated rounds: what every figure reports, never the best round alone. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Rounds (or samples) behind the figure. */
  readonly n: number;
}

/** Median, minimum and maximum of `values` (NaN for none). */
export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, n: sorted.length };
}

/** Ratios a[i] / b[i] of rounds taken as pairs (A then B, one after the other), so a drift of the machine hits both. */
export function pairedRatios(a: readonly number[], b: readonly number[]): Spread {
  return spread(a.map((x, i) => x / (b[i] ?? Number.NaN)));
}

/** Value at quantile q (0..1) of already sorted numbers, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Process CPU seconds (user + system, every thread) since `since`, or since start. */
export function cpuSeconds(since?: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Wall and CPU time of `body`: CPU counts every thread of this process (ONNX Runtime's, libuv's). */
export async function timed<T>(
  body: () => Promise<T> | T,
): Promise<{ value: T; wallS: number; cpuS: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await body();
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  return { value, wallS, cpuS: cpuSeconds(cpu) };
}
