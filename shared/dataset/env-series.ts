/**
 * The true environment at the sensor, sampled every {@link ENV_STEP_S}
 * seconds, stored as one typed array per quantity (struct of arrays) so that
 * sensor models and baselines scan it without allocating.
 */

/** The engine's time step, s. One second resolves the fastest growth (ultra-fast α) to better than 2 %. */
export const ENV_STEP_S = 1;

/** One hot object in the camera's view, in image coordinates (pixel centres at i + 0.5). */
export interface ThermalSource {
  readonly label: string;
  readonly u_px: number;
  readonly v_px: number;
  readonly sigma_u_px: number;
  readonly sigma_v_px: number;
  /** Share of the peak pixel the source fills, emissivity included (0..1). */
  readonly coverage: number;
  readonly temp_c: number;
  readonly distance_m: number;
}

/** Scalar quantities of the environment, by the name of their array. */
export const ENV_FIELDS = [
  'temp_c',
  'humidity_pct',
  'co_ppm',
  'co2_ppm',
  'voc_ppb',
  'pressure_hpa',
  'pm1_ugm3',
  'pm25_ugm3',
  'pm10_ugm3',
  'n0_3_per_dl',
  'n0_5_per_dl',
  'n1_0_per_dl',
  'n2_5_per_dl',
  'n5_0_per_dl',
  'n10_per_dl',
  'droplet_ugm3',
  'droplet_pm25_ugm3',
  'obscuration_pct_m',
  'surface_c',
] as const;
export type EnvField = (typeof ENV_FIELDS)[number];

/**
 * Per-step truth. `temp_c` is the air at the sensor (ambient + hot layer +
 * ceiling jet), `surface_c` the room surfaces as the thermal camera sees them,
 * `droplet_*` liquid water that is not particulate matter but that optical
 * counters see, counts are dry particles per 0.1 L above each size.
 */
export type EnvSeries = { readonly [F in EnvField]: Float64Array } & {
  readonly step_s: number;
  readonly length: number;
  readonly t_s: Float64Array;
  /** Hot objects in the camera's view at each step, farthest first. */
  readonly thermal_sources: readonly (readonly ThermalSource[])[];
};

/** One step of an {@link EnvSeries} as a plain object (for plots and JSON). */
export type EnvSample = { [F in EnvField]: number } & {
  t_s: number;
  thermal_sources: readonly ThermalSource[];
};

/** Allocates a series of `length` steps around the (caller-filled) thermal source lists. */
export function allocateEnvSeries(
  length: number,
  stepS: number,
  thermalSources: readonly (readonly ThermalSource[])[],
): EnvSeries {
  const arrays = Object.fromEntries(ENV_FIELDS.map((f) => [f, new Float64Array(length)])) as {
    [F in EnvField]: Float64Array;
  };
  const t = new Float64Array(length);
  for (let i = 0; i < length; i++) t[i] = i * stepS;
  return { ...arrays, step_s: stepS, length, t_s: t, thermal_sources: thermalSources };
}

/** Step `i` of `env` as an object. */
export function envSampleAt(env: EnvSeries, i: number): EnvSample {
  const sample = Object.fromEntries(ENV_FIELDS.map((f) => [f, env[f][i] ?? Number.NaN])) as {
    [F in EnvField]: number;
  };
  return { ...sample, t_s: env.t_s[i] ?? Number.NaN, thermal_sources: env.thermal_sources[i] ?? [] };
}

/** `field` of `env` at time `t`, linearly interpolated and held at both ends. */
export function envValueAt(env: EnvSeries, field: EnvField, t: number): number {
  const a = env[field];
  const x = t / env.step_s;
  const i = Math.floor(x);
  if (i < 0) return a[0] ?? 0;
  if (i >= env.length - 1) return a[env.length - 1] ?? 0;
  const k = x - i;
  return (a[i] ?? 0) * (1 - k) + (a[i + 1] ?? 0) * k;
}
