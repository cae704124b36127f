import type { Rng } from './prng.js';
import { drawSourcePosition } from './room-draws.js';
import { addFire, addNuisance, draft, type Draft } from './scenario-draft.js';
import type { FireClassName, NuisanceKind, Route } from '../../shared/dataset/scenario-schema.js';

/**
 * Fires and nuisances in a home, with the sensor often in another room than
 * the source: down a hallway, behind a bedroom door, as at most positions
 * of the NIST home smoke alarm tests. The route physics (plume-transport)
 * were calibrated on those tests; these templates spread routes and fires
 * around them so that a model learns what smoke and heat look like after
 * 3–20 m of ceilings and up to two doorways, and what they look like from
 * cooking in the kitchen down the hall.
 */

/** Share of house runs whose sensor is in another room than the source. */
const ELSEWHERE = 0.6;

/** A route along ceilings from another room: 3–20 m, through zero to two open doorways. */
function drawRoute(rng: Rng, maxM: number): Route {
  const doors = rng.chance(0.45) ? 0 : rng.chance(0.7) ? 1 : 2;
  return { path_m: rng.uniform(3, maxM), doors };
}

const FLAMING: readonly [FireClassName, ...FireClassName[]] = [
  'upholstered-flaming',
  'upholstered-flaming',
  'upholstered-flaming',
  'ul217-flaming-pu',
  'tf1-open-wood',
];
const SMOULDERING: readonly [FireClassName, ...FireClassName[]] = [
  'ul217-smouldering-pu',
  'tf2-smouldering-wood',
  'tf3-smouldering-cotton',
];

function houseFire(classes: readonly [FireClassName, ...FireClassName[]]) {
  return (rng: Rng): Draft => {
    const elsewhere = rng.chance(ELSEWHERE);
    const d = draft(rng, elsewhere ? 'home' : rng.pick(['living', 'bedroom'] as const));
    if (rng.chance(0.3)) addNuisance(d, 'people', [1, 4], 0, 0);
    const route = elsewhere ? drawRoute(rng, 20) : null;
    const at = drawSourcePosition(rng, d.room, d.sensor, rng.uniform(0.8, 4), rng.uniform(0.3, 0.6));
    addFire(d, rng.pick(classes), at, rng.uniform(60, 300), { route });
    return d;
  };
}

function houseNuisance(kinds: readonly [NuisanceKind, ...NuisanceKind[]], maxRouteM: number) {
  return (rng: Rng): Draft => {
    const elsewhere = rng.chance(ELSEWHERE);
    const d = draft(rng, elsewhere ? 'home' : 'kitchen');
    const route = elsewhere ? drawRoute(rng, maxRouteM) : null;
    addNuisance(d, rng.pick(kinds), [1, 3], 0.9, rng.uniform(30, 300), route);
    return d;
  };
}

export const HOUSE_TEMPLATES = {
  'house-flaming': houseFire(FLAMING),
  'house-smouldering': houseFire(SMOULDERING),
  'house-pan-fire': (rng: Rng): Draft => {
    const elsewhere = rng.chance(ELSEWHERE);
    const d = draft(rng, elsewhere ? 'home' : 'kitchen');
    const route = elsewhere ? drawRoute(rng, 12) : null;
    const cooking = addNuisance(d, 'frying', [1, 3], 0.9, rng.uniform(30, 300), route);
    const ignition = cooking.start_s + rng.uniform(0.3, 0.9) * cooking.duration_s;
    addFire(d, 'cooking-oil', cooking.position, ignition, { route });
    return d;
  },
  'house-cooking': houseNuisance(['frying', 'broiling', 'toast'], 12),
  'house-steam': (rng: Rng): Draft => {
    const elsewhere = rng.chance(ELSEWHERE);
    const d = draft(rng, elsewhere ? 'home' : 'bathroom');
    const route = elsewhere ? drawRoute(rng, 8) : null;
    addNuisance(d, 'shower', [0.5, 2], 0, rng.uniform(30, 300), route);
    return d;
  },
} satisfies Record<string, (rng: Rng) => Draft>;
