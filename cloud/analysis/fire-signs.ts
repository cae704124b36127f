/**
 * Signs of fire read from an anomaly's features, one per kind of sensor, each
 * 0..1. They follow the thresholds of the edge's rule fallback
 * (shared/model/rule-model.ts) so the cloud and the device mean the same
 * thing by "smoke rising"; here they are kept apart, because what the cloud
 * asks is how many independent sensors agree.
 */
export const FIRE_SIGNS = ['hotspot', 'smoke', 'co', 'heat'] as const;
export type FireSign = (typeof FIRE_SIGNS)[number];

/** What an operator reads for each sign. */
export const FIRE_SIGN_NAMES: Readonly<Record<FireSign, string>> = {
  hotspot: 'thermal hotspot',
  smoke: 'smoke',
  co: 'CO',
  heat: 'heat',
};

/** A sign at or above this strength counts as present. */
export const SIGN_PRESENT = 0.5;

export type Features = Readonly<Record<string, number | null>>;

export interface FireSignReading {
  /** Strength of each sign, 0..1 (0 when its features are missing). */
  readonly strength: Readonly<Record<FireSign, number>>;
  /** Signs at or above {@link SIGN_PRESENT}, strongest first. */
  readonly present: readonly FireSign[];
  /** Signs none of whose features arrived: the sensor is absent or stale. */
  readonly missing: readonly FireSign[];
}

/** 0 below `from`, 1 above `to`, linear between; missing gives 0. */
function ramp(value: number | null | undefined, from: number, to: number): number {
  if (value === null || value === undefined || !Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, (value - from) / (to - from)));
}

const INPUTS: Readonly<Record<FireSign, readonly string[]>> = {
  hotspot: ['tmax_level', 'thot_d60'],
  smoke: ['pm25_dev', 'pm25_level'],
  co: ['co_dev', 'co_d60'],
  heat: ['temp_dev', 'temp_d60'],
};

export function readFireSigns(f: Features): FireSignReading {
  const steam = ramp(f['humidity_level'], 80, 92) * ramp(f['humidity_d60'], 0, 0.05);
  const dust = ramp(f['pm_coarse_ratio'], 0.7, 1.2);
  const strength: Record<FireSign, number> = {
    hotspot:
      ramp(f['tmax_level'], 80, 150) * ramp(f['thot_d60'], 0, 0.1) * (1 - ramp(f['thermal_motion10'], 1, 3)),
    smoke:
      ramp(f['pm25_dev'], 1.5, 3) *
      ramp(f['pm25_level'], Math.log1p(35), Math.log1p(150)) *
      (1 - steam) *
      (1 - dust),
    co: ramp(f['co_dev'], 8, 30) * ramp(f['co_d60'], 0, 0.05),
    heat: Math.max(ramp(f['temp_dev'], 6, 15), ramp(f['temp_d60'], 0.08, 0.15)),
  };
  const present = FIRE_SIGNS.filter((s) => strength[s] >= SIGN_PRESENT).sort(
    (a, b) => strength[b] - strength[a],
  );
  const missing = FIRE_SIGNS.filter((s) =>
    INPUTS[s].every((name) => {
      const value = f[name];
      return value === null || value === undefined || !Number.isFinite(value);
    }),
  );
  return { strength, present, missing };
}

/** A thermal hotspot together with smoke or CO: the pattern of a real fire rather than a nuisance. */
export function isFireSignature(present: readonly FireSign[]): boolean {
  return present.includes('hotspot') && (present.includes('smoke') || present.includes('co'));
}
