import type { Route } from '../../shared/dataset/scenario-schema.js';

/**
 * How heat and species get from a buoyant source to a ceiling-mounted sensor:
 * Alpert's ceiling-jet correlations, a transport lag from plume and jet
 * velocities, and the dilution implied by the jet's temperature rise (heat and
 * species are diluted by the same entrained air, so concentration / ΔT is
 * fixed by the source's yield per unit of convective heat).
 */

/** ρ·cp of room air, kJ/(m³·K). */
export const AIR_HEAT_CAPACITY_KJ_M3K = 1.2;
/** Room air movement that carries even a non-buoyant release, m/s. */
const DRAUGHT_VELOCITY_M_S = 0.08;
/** Longest lag a source can have; beyond this its smoke simply mixes into the room. */
const MAX_LAG_S = 600;

/** Alpert ceiling-jet temperature rise (K) for total heat release `qKw`, height `hM` above the source, radius `rM`. */
export function alpertDeltaT(qKw: number, hM: number, rM: number): number {
  if (qKw <= 0) return 0;
  const h = Math.max(hM, 0.3);
  if (rM / h <= 0.18) return (16.9 * Math.pow(qKw, 2 / 3)) / Math.pow(h, 5 / 3);
  return (5.38 * Math.pow(qKw / rM, 2 / 3)) / h;
}

/** Alpert ceiling-jet velocity (m/s), floored at room draughts. */
export function ceilingJetVelocity(qKw: number, hM: number, rM: number): number {
  const h = Math.max(hM, 0.3);
  const base = Math.cbrt(Math.max(qKw, 0) / h);
  const u = rM / h <= 0.15 ? 0.947 * base : (0.197 * base) / Math.pow(rM / h, 5 / 6);
  return Math.max(u, DRAUGHT_VELOCITY_M_S);
}

/** Seconds for gases leaving the source now to reach the sensor: plume rise plus ceiling-jet run. */
export function transportLag(qKw: number, hM: number, rM: number): number {
  const h = Math.max(hM, 0.3);
  const plumeVelocity = Math.max(Math.cbrt(Math.max(qKw, 0) / h), DRAUGHT_VELOCITY_M_S);
  return Math.min(h / plumeVelocity + rM / ceilingJetVelocity(qKw, h, rM), MAX_LAG_S);
}

/**
 * Share of a plume that reaches the ceiling before stratifying: weak plumes
 * (smouldering, a person) lose buoyancy in the room's temperature gradient.
 */
export function ceilingReach(qKw: number, hM: number): number {
  if (qKw <= 0) return 0;
  const stratifyingKw = 0.5 * Math.pow(Math.max(hM, 0.3) / 2.5, 2.5);
  return qKw / (qKw + stratifyingKw);
}

/**
 * Concentration at the sensor per unit emission rate (s/m³) carried by the
 * ceiling jet: emission / jet volume flow, the flow being χc·Q / (ρ·cp·ΔT).
 */
export function jetDilution(qKw: number, convectiveFraction: number, hM: number, rM: number): number {
  if (qKw <= 1e-9 || convectiveFraction <= 0) return 0;
  return (AIR_HEAT_CAPACITY_KJ_M3K * alpertDeltaT(qKw, hM, rM)) / (convectiveFraction * qKw);
}

/** Air flow that turbulent room mixing exchanges with the neighbourhood of a non-buoyant source, m³/s. */
const LOCAL_MIXING_M3_S = 0.25;

/** Concentration near a source per unit emission rate (s/m³), from room turbulence alone, at distance `dM`. */
export function localDilution(dM: number): number {
  return 1 / (LOCAL_MIXING_M3_S * (1 + dM * dM));
}

/**
 * Along a route to another room (see Route), calibrated on the NIST home
 * smoke alarm tests (docs/simulator-validation.md, `emberwatch simulate
 * validate --calibrate`): the ceiling jet loses heat to the ceiling and
 * walls of a hallway with an e-folding length, and each doorway may pass
 * only a share of the heat and of the smoke and hold the front back while
 * the layer deepens enough to spill (the open doorways of those tests cost
 * no heat and no time, a fifth of the smoke). A hallway channels the jet, so
 * its front moves faster than an unconfined jet's at the same radius. The
 * warm layer under a ceiling fills the upper part of a room.
 */
export interface RoutePhysics {
  readonly heatLengthM: number;
  readonly doorHeatPass: number;
  readonly doorSmokePass: number;
  readonly doorDelayS: number;
  readonly speedFactor: number;
  /** Share of a room's height that the warm layer under the ceiling fills. */
  readonly layerFraction: number;
}

export const ROUTE_PHYSICS: RoutePhysics = {
  heatLengthM: 9,
  doorHeatPass: 1,
  doorSmokePass: 0.8,
  doorDelayS: 0,
  speedFactor: 2,
  layerFraction: 0.6,
};

/** Share of a ceiling jet's temperature rise that arrives along `route`. */
export function routeHeatPass(route: Route, physics: RoutePhysics = ROUTE_PHYSICS): number {
  return Math.pow(physics.doorHeatPass, route.doors) * Math.exp(-route.path_m / physics.heatLengthM);
}

/** Share of a ceiling jet's species that arrives along `route`. */
export function routeSmokePass(route: Route, physics: RoutePhysics = ROUTE_PHYSICS): number {
  return Math.pow(physics.doorSmokePass, route.doors);
}

/** Seconds for gases leaving a source of `qKw` to reach a sensor along `route`. */
export function routeLag(
  qKw: number,
  hM: number,
  route: Route,
  physics: RoutePhysics = ROUTE_PHYSICS,
): number {
  const run = transportLag(qKw, hM, route.path_m) / physics.speedFactor;
  return Math.min(run + route.doors * physics.doorDelayS, MAX_LAG_S);
}
