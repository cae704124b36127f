import type { Fire } from '../../shared/dataset/scenario-schema.js';

/**
 * Heat release of a fire in closed form: Q = q₀ + α(t − t_ig − t_inc)² up
 * to q_max, a plateau, then an exponential decay once 80 % of the fuel's
 * energy is spent. q₀ is the flaming a piece of furniture shows the moment
 * it is lit (a few kW in the NIST home tests, for 7–20 s before the growth
 * t_inc sets in), zero for a plain t-squared start. Closed
 * form matters: the transport model samples Q at arbitrary delayed times,
 * and a larger fuel load or a faster growth must give a curve that is
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
  readonly initialKw: number;
  readonly incubationS: number;
  readonly qMaxKw: number;
  /** Time after ignition when the decay starts, s. */
  readonly decayStartS: number;
  readonly decayStartKw: number;
  readonly decayTauS: number;
}

/** Energy released up to `s` seconds after ignition, before the plateau, kJ. */
const growthEnergy = (q0: number, inc: number, alpha: number, s: number): number =>
  q0 * s + (alpha * Math.max(0, s - inc) ** 3) / 3;

/** Precomputes the phases of `fire`'s heat release. */
export function heatReleaseCurve(fire: Fire): HeatReleaseCurve {
  const { alpha_kw_s2: alpha, q_max_kw: qMax } = fire;
  const q0 = Math.min(fire.initial_kw, qMax);
  const inc = fire.incubation_s;
  const energyKj = fire.fuel_mass_kg * 1000 * fire.heat_of_combustion_kj_g;
  const growthEndS = inc + Math.sqrt((qMax - q0) / alpha);
  const energyToEnd = growthEnergy(q0, inc, alpha, growthEndS);
  const decayEnergy = DECAY_START_FRACTION * energyKj;
  let decayStartS: number;
  let decayStartKw: number;
  if (energyToEnd >= decayEnergy) {
    // Growth energy rises monotonically with time: bisect for the moment it reaches the decay's share.
    let lo = 0;
    let hi = growthEndS;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (growthEnergy(q0, inc, alpha, mid) < decayEnergy) lo = mid;
      else hi = mid;
    }
    decayStartS = (lo + hi) / 2;
    decayStartKw = q0 + alpha * Math.max(0, decayStartS - inc) ** 2;
  } else {
    decayStartS = growthEndS + (decayEnergy - energyToEnd) / qMax;
    decayStartKw = qMax;
  }
  const decayTauS = ((1 - DECAY_START_FRACTION) * energyKj) / decayStartKw;
  return {
    ignitionS: fire.ignition_s,
    alpha,
    initialKw: q0,
    incubationS: inc,
    qMaxKw: qMax,
    decayStartS,
    decayStartKw,
    decayTauS,
  };
}

/** Total heat release rate at time `t` (s from run start), kW. */
export function heatReleaseAt(curve: HeatReleaseCurve, t: number): number {
  const s = t - curve.ignitionS;
  if (s <= 0) return 0;
  if (s >= curve.decayStartS)
    return curve.decayStartKw * Math.exp(-(s - curve.decayStartS) / curve.decayTauS);
  const growing = Math.max(0, s - curve.incubationS);
  return Math.min(curve.initialKw + curve.alpha * growing * growing, curve.qMaxKw);
}
