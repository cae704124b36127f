import type { Rng } from './prng.js';
import type {
  Aerosol,
  Envelope,
  Hotspot,
  Nuisance,
  NuisanceKind,
  Route,
  Vec3,
} from '../../shared/dataset/scenario-schema.js';

/**
 * Draws of the non-fire sources. Every kind fills the same generic
 * {@link Nuisance} shape, so the engine never branches on the kind: the
 * numbers alone make steam humid, dust coarse and a heater hot but clean.
 */

/** Kinds that belong to ordinary life: a run with only these is labelled 'normal'. */
export const EVERYDAY_KINDS: ReadonlySet<NuisanceKind> = new Set(['people', 'occupancy']);

/** CO₂ a resting adult breathes out, mg/s (about 19 L/h). */
const CO2_PER_PERSON_MG_S = 9.4;

const COOKING: Aerosol = { count_median_um: 0.07, geometric_sd: 2, density_g_cm3: 0.9, extinction_m2_g: 4 };
const DUST: Aerosol = { count_median_um: 1.5, geometric_sd: 2, density_g_cm3: 2.5, extinction_m2_g: 0.6 };
const TOBACCO: Aerosol = { count_median_um: 0.2, geometric_sd: 1.5, density_g_cm3: 1.1, extinction_m2_g: 4 };
const VAPOUR: Aerosol = { count_median_um: 0.3, geometric_sd: 1.6, density_g_cm3: 1.1, extinction_m2_g: 3 };
const MIST: Aerosol = { count_median_um: 2.5, geometric_sd: 1.5, density_g_cm3: 1, extinction_m2_g: 0.5 };

const STEADY: Envelope = { kind: 'steady', period_s: 60, duty: 1 };

function hotspot(temp: number, width: number, height: number): Hotspot {
  return { temp_c: temp, width_m: width, height_m: height, motion: { kind: 'static' } };
}

type Draw = (rng: Rng) => Omit<Nuisance, 'kind' | 'start_s' | 'position' | 'route'>;

const none = { pm_mg_s: 0, co_mg_s: 0, co2_mg_s: 0, h2o_g_s: 0, voc_mg_s: 0, droplet_mg_s: 0 };

const DRAWS: Readonly<Record<NuisanceKind, Draw>> = {
  frying: (rng) => {
    const gas = rng.chance(0.4);
    return {
      ...none,
      duration_s: rng.uniform(300, 1500),
      heat_kw: rng.uniform(0.6, 1.8),
      pm_mg_s: rng.around(0.06, 0.6),
      co_mg_s: gas ? rng.uniform(0.05, 0.4) : rng.uniform(0, 0.01),
      co2_mg_s: gas ? rng.uniform(60, 120) : 0,
      h2o_g_s: rng.uniform(0.1, 0.4),
      voc_mg_s: rng.uniform(0.05, 0.3),
      aerosol: COOKING,
      envelope: STEADY,
      hotspot: hotspot(rng.uniform(150, 250), rng.uniform(0.22, 0.32), 0.08),
    };
  },
  broiling: (rng) => ({
    ...none,
    duration_s: rng.uniform(600, 1500),
    heat_kw: rng.uniform(0.8, 2),
    pm_mg_s: rng.around(0.25, 0.5),
    co_mg_s: rng.uniform(0.01, 0.2),
    h2o_g_s: rng.uniform(0.1, 0.3),
    voc_mg_s: rng.uniform(0.1, 0.5),
    aerosol: { ...COOKING, count_median_um: 0.1 },
    envelope: STEADY,
    hotspot: hotspot(rng.uniform(100, 250), rng.uniform(0.4, 0.6), 0.3),
  }),
  toast: (rng) => ({
    ...none,
    duration_s: rng.uniform(180, 480),
    heat_kw: rng.uniform(0.3, 0.7),
    pm_mg_s: rng.around(0.3, 0.7),
    co_mg_s: rng.uniform(0.01, 0.05),
    voc_mg_s: rng.uniform(0.05, 0.3),
    aerosol: { ...COOKING, count_median_um: 0.08, extinction_m2_g: 6 },
    // Bread browns, then burns: emission climbs towards the end.
    envelope: { kind: 'ramp', period_s: 60, duty: 1 },
    hotspot: hotspot(rng.uniform(120, 250), 0.3, 0.2),
  }),
  shower: (rng) => ({
    ...none,
    duration_s: rng.uniform(300, 1200),
    // Most of a shower's heat leaves as vapour (latent), little as warm air.
    heat_kw: rng.uniform(0.4, 1.2),
    h2o_g_s: rng.uniform(0.3, 0.8),
    droplet_mg_s: rng.uniform(0.05, 0.3),
    aerosol: MIST,
    envelope: STEADY,
    hotspot: hotspot(rng.uniform(35, 42), rng.uniform(0.7, 1), 1.8),
  }),
  dust: (rng) => ({
    ...none,
    duration_s: rng.uniform(300, 3600),
    heat_kw: 0,
    pm_mg_s: rng.around(0.6, 0.6),
    aerosol: { ...DUST, count_median_um: rng.uniform(1, 2.5) },
    envelope: { kind: 'bursts', period_s: rng.uniform(30, 180), duty: rng.uniform(0.3, 0.7) },
    hotspot: null,
  }),
  cigarette: (rng) => ({
    ...none,
    duration_s: rng.uniform(240, 480),
    heat_kw: 0.1,
    pm_mg_s: rng.uniform(0.015, 0.04),
    co_mg_s: rng.uniform(0.08, 0.2),
    co2_mg_s: CO2_PER_PERSON_MG_S,
    voc_mg_s: rng.uniform(0.02, 0.08),
    aerosol: TOBACCO,
    envelope: { kind: 'bursts', period_s: rng.uniform(20, 60), duty: rng.uniform(0.3, 0.6) },
    hotspot: hotspot(rng.uniform(31, 34), 0.45, 1.7),
  }),
  vaping: (rng) => ({
    ...none,
    duration_s: rng.uniform(120, 900),
    heat_kw: 0.1,
    pm_mg_s: rng.uniform(0.1, 0.6),
    co2_mg_s: CO2_PER_PERSON_MG_S,
    voc_mg_s: rng.uniform(0.2, 1),
    aerosol: VAPOUR,
    envelope: { kind: 'bursts', period_s: rng.uniform(30, 120), duty: rng.uniform(0.05, 0.15) },
    hotspot: hotspot(rng.uniform(31, 34), 0.45, 1.7),
  }),
  'space-heater': (rng) => ({
    ...none,
    duration_s: rng.uniform(3600, 14400),
    heat_kw: rng.uniform(0.5, 1.5),
    aerosol: DUST,
    envelope: { kind: 'cycling', period_s: rng.uniform(600, 1800), duty: rng.uniform(0.4, 0.8) },
    hotspot: hotspot(rng.uniform(60, 300), rng.uniform(0.3, 0.6), rng.uniform(0.3, 0.6)),
  }),
  sunlight: (rng) => {
    const speed = rng.uniform(0.5, 2) / 3600;
    const angle = rng.uniform(0, 2 * Math.PI);
    return {
      ...none,
      duration_s: rng.uniform(3600, 14400),
      heat_kw: rng.uniform(0.1, 0.6),
      aerosol: DUST,
      envelope: STEADY,
      hotspot: {
        temp_c: rng.uniform(35, 60),
        width_m: rng.uniform(0.6, 1.5),
        height_m: rng.uniform(0.3, 0.8),
        motion: { kind: 'drift', vx_m_s: speed * Math.cos(angle), vy_m_s: speed * Math.sin(angle) },
      },
    };
  },
  people: (rng) => ({
    ...none,
    duration_s: rng.uniform(1800, 28800),
    heat_kw: 0.08,
    co2_mg_s: CO2_PER_PERSON_MG_S * rng.uniform(0.9, 1.4),
    h2o_g_s: rng.uniform(0.012, 0.02),
    voc_mg_s: rng.uniform(0.005, 0.02),
    aerosol: DUST,
    envelope: STEADY,
    hotspot: {
      temp_c: rng.uniform(30, 36),
      width_m: rng.uniform(0.35, 0.5),
      height_m: rng.uniform(1.1, 1.8),
      motion: { kind: 'wander', speed_m_s: rng.uniform(0.2, 1), seed: rng.int(0, 2 ** 31) },
    },
  }),
  occupancy: (rng) => {
    const people = rng.int(4, 25);
    return {
      ...none,
      duration_s: rng.uniform(3600, 14400),
      heat_kw: 0.08 * people,
      pm_mg_s: 0.002 * people,
      co2_mg_s: CO2_PER_PERSON_MG_S * people,
      h2o_g_s: 0.015 * people,
      voc_mg_s: 0.01 * people,
      aerosol: DUST,
      envelope: STEADY,
      hotspot: null,
    };
  },
};

/** A concrete nuisance of `kind` at `position`, starting at `startS`; `route` when it is in another room. */
export function drawNuisance(
  rng: Rng,
  kind: NuisanceKind,
  position: Vec3,
  startS: number,
  route: Route | null = null,
): Nuisance {
  return { kind, start_s: startS, position, ...DRAWS[kind](rng), route };
}

/** Output multiplier in [0, 1] of `n` at time `t` (s from run start); zero outside its window. */
export function envelopeAt(n: Nuisance, t: number): number {
  const s = t - n.start_s;
  if (s < 0 || s > n.duration_s) return 0;
  const { kind, period_s: period, duty } = n.envelope;
  // Soft edges: hobs, ovens and heaters take minutes to warm up and cool down.
  const edge = Math.min(180, 0.25 * n.duration_s);
  const soft = Math.min(1, s / edge, (n.duration_s - s) / edge);
  switch (kind) {
    case 'steady':
      return soft;
    case 'ramp':
      return soft * (0.15 + 0.85 * (s / n.duration_s) ** 2);
    case 'bursts':
      return (s % period) / period < duty ? soft : 0;
    case 'cycling':
      return soft * (0.5 + 0.5 * Math.cos((2 * Math.PI * s) / period)) ** (1 - duty);
  }
}
