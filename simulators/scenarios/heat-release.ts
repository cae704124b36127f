import type { Fire } from './scenario-schema.js';

/**
 * Heat release of a fire in closed form: Q = α(t − t_ig)² up to q_max, a
 * plateau, then an exponential decay once 80 % of the fuel's energy is spent.
 * Closed form matters: the transport model samples Q at arbitrary delayed
 * times, and a larger fuel load or a faster growth must give a curve that is
 * pointwise no lower (the decay constant is chosen so that this holds).
 */

/** Growth constants of NFPA 72 / SFPE, kW/s². */
export const GROWTH_ALPHA = {
  slow: 0.00293,
  medium: 0.01172,
  fast: 0.0469,
  'ultra-fast': 0.1876,
} as const;
export type GrowthName = keyof typeof GROWTH_ALPHA;

/** Share of the fuel energy released before the decay starts. */
const DECAY_START_FRACTION = 0.8;

/** Phases of one fire's heat release, precomputed by {@link heatReleaseCurve}. */
export interface HeatReleaseCurve {
  readonly ignitionS: number;
  readonly alpha: number;
  readonly qMaxKw: number;
  /** Time after ignition when the decay starts, s. */
  readonly decayStartS: number;
  readonly decayStartKw: number;
  readonly decayTauS: number;
}

/** Precomputes the phases of `fire`'s heat release. */
export function heatReleaseCurve(fire: Fire): HeatReleaseCurve {
  const { alpha_kw_s2: alpha, q_max_kw: qMax } = fire;
  const energyKj = fire.fuel_mass_kg * 1000 * fire.heat_of_combustion_kj_g;
  const growthEndS = Math.sqrt(qMax / alpha);
  const growthEnergy = (alpha * growthEndS ** 3) / 3;
  const decayEnergy = DECAY_START_FRACTION * energyKj;
  let decayStartS: number;
  let decayStartKw: number;
  if (growthEnergy >= decayEnergy) {
    decayStartS = Math.cbrt((3 * decayEnergy) / alpha);
    decayStartKw = alpha * decayStartS * decayStartS;
  } else {
    decayStartS = growthEndS + (decayEnergy - growthEnergy) / qMax;
    decayStartKw = qMax;
  }
  const decayTauS = ((1 - DECAY_START_FRACTION) * energyKj) / decayStartKw;
  return { ignitionS: fire.ignition_s, alpha, qMaxKw: qMax, decayStartS, decayStartKw, decayTauS };
}

/** Total heat release rate at time `t` (s from run start), kW. */
export function heatReleaseAt(curve: HeatReleaseCurve, t: number): number {
  const s = t - curve.ignitionS;
  if (s <= 0) return 0;
  if (s >= curve.decayStartS)
    return curve.decayStartKw * Math.exp(-(s - curve.decayStartS) / curve.decayTauS);
  return Math.min(curve.alpha * s * s, curve.qMaxKw);
}
