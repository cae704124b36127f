import type { RoutePhysics } from '../scenarios/plume-transport.js';
import { compareNistHome, type PositionComparison } from './nist-comparison.js';

/** Seconds of disagreement that count as one unit of error. */
const TIME_SCALE_S = 30;

/**
 * How far the simulation is from the measurements, summed over positions:
 * the times to +2, +5 and +10 °C and of smoke arrival in units of 30 s
 * (at most 3 each; an event on one side only costs 2), the temperature rise
 * two and three minutes after ignition and the final CO₂ rise as log ratios
 * (CO₂ at half weight: the analysers are noisy).
 */
export function comparisonLoss(rows: readonly PositionComparison[]): number {
  const time = (a: number | null, b: number | null): number =>
    a === null && b === null ? 0 : a === null || b === null ? 2 : Math.min(3, Math.abs(a - b) / TIME_SCALE_S);
  const ratio = (a: number | null, b: number | null, floor: number): number =>
    a === null || b === null ? 0 : Math.abs(Math.log((floor + Math.max(0, a)) / (floor + Math.max(0, b))));
  let loss = 0;
  for (const { measuredMetrics: m, simulatedMetrics: s } of rows) {
    loss += time(m.rise2S, s.rise2S) + time(m.rise5S, s.rise5S) + time(m.rise10S, s.rise10S);
    loss += time(m.smokeArrivalS, s.smokeArrivalS);
    loss += ratio(m.riseAt120, s.riseAt120, 1) + ratio(m.riseAt180, s.riseAt180, 1);
    loss += 0.5 * ratio(m.co2RiseEndPpm, s.co2RiseEndPpm, 100);
  }
  return loss;
}

/** Values tried for each constant. */
export type RouteGrid = { readonly [K in keyof RoutePhysics]: readonly number[] };

export const ROUTE_GRID: RouteGrid = {
  heatLengthM: [5, 7, 9, 11, 15, 25],
  doorHeatPass: [0.4, 0.6, 0.8, 0.9, 1],
  doorSmokePass: [0.3, 0.5, 0.7, 0.8, 0.9, 1],
  doorDelayS: [0, 5, 10, 20],
  speedFactor: [1, 1.5, 1.75, 2, 2.5, 3],
  layerFraction: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
};

/**
 * Coordinate search over the grid from `start`: each constant in turn takes
 * the value that lowers the loss most, until a whole pass changes nothing.
 * How the shipped ROUTE_PHYSICS were found (simulate validate --calibrate).
 */
export async function calibrateRoutePhysics(
  dir: string,
  start: RoutePhysics,
  grid: RouteGrid = ROUTE_GRID,
): Promise<{ physics: RoutePhysics; loss: number }> {
  let best = start;
  let bestLoss = comparisonLoss(await compareNistHome(dir, best));
  for (let pass = 0; pass < 5; pass++) {
    let changed = false;
    for (const key of Object.keys(grid) as (keyof RoutePhysics)[]) {
      for (const value of grid[key]) {
        const candidate = { ...best, [key]: value };
        const loss = comparisonLoss(await compareNistHome(dir, candidate));
        if (loss < bestLoss - 1e-9) {
          best = candidate;
          bestLoss = loss;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { physics: best, loss: bestLoss };
}
