import { EmberError } from '../../shared/errors.js';
import { HOUSE_TEMPLATES } from './house-templates.js';
import { hashLabel, mixSeed, Rng } from './prng.js';
import { aimCamera, drawBackground, drawFaults, drawSourcePosition, roomCentre } from './room-draws.js';
import type { RoomKind } from './room-draws.js';
import { addFire, addNuisance, draft, type Draft, type Range } from './scenario-draft.js';
import { parseScenario } from '../../shared/dataset/scenario-schema.js';
import type { FireClassName, NuisanceKind, Scenario } from '../../shared/dataset/scenario-schema.js';

/**
 * Named scenario templates and the one function that turns a template and a
 * seed into a concrete, validated {@link Scenario}. Templates only decide
 * what happens where; all numbers come from the class and kind draws.
 */

function fireTemplate(
  cls: FireClassName,
  rooms: readonly [RoomKind, ...RoomKind[]],
  radius: Range,
  height: Range,
) {
  return (rng: Rng): Draft => {
    const d = draft(rng, rng.pick(rooms));
    if (rng.chance(0.3)) addNuisance(d, 'people', [1, 4], 0, 0);
    const at = drawSourcePosition(
      rng,
      d.room,
      d.sensor,
      rng.uniform(radius[0], radius[1]),
      rng.uniform(...height),
    );
    addFire(d, cls, at, rng.uniform(60, 300));
    return d;
  };
}

function nuisanceTemplate(
  kind: NuisanceKind,
  rooms: readonly [RoomKind, ...RoomKind[]],
  radius: Range,
  heightM: number,
) {
  return (rng: Rng): Draft => {
    const d = draft(rng, rng.pick(rooms));
    addNuisance(d, kind, radius, heightM, rng.uniform(30, 300));
    return d;
  };
}

const FLOOR: Range = [0, 0.3];
const TESTS: readonly [RoomKind, ...RoomKind[]] = ['test-room', 'living', 'office'];
const HOMES: readonly [RoomKind, ...RoomKind[]] = ['living', 'bedroom'];

const TEMPLATES = {
  tf1: fireTemplate('tf1-open-wood', TESTS, [1, 5], FLOOR),
  tf2: fireTemplate('tf2-smouldering-wood', TESTS, [1, 5], FLOOR),
  tf3: fireTemplate('tf3-smouldering-cotton', TESTS, [1, 5], FLOOR),
  tf4: fireTemplate('tf4-flaming-pu', TESTS, [1, 5], FLOOR),
  tf5: fireTemplate('tf5-n-heptane', TESTS, [1, 5], FLOOR),
  // Large rooms only: a few grams of ethanol "smoke" would otherwise accumulate in a small one.
  tf6: fireTemplate('tf6-ethanol', ['test-room', 'office'], [1, 3], FLOOR),
  tf7: fireTemplate('tf7-slow-smouldering-wood', TESTS, [1, 5], FLOOR),
  tf8: fireTemplate('tf8-decalin', TESTS, [1, 5], FLOOR),
  'ul217-flaming-pu': fireTemplate('ul217-flaming-pu', HOMES, [1, 4], [0.3, 0.5]),
  'ul217-smouldering-pu': fireTemplate('ul217-smouldering-pu', HOMES, [1, 4], [0.3, 0.5]),
  frying: nuisanceTemplate('frying', ['kitchen'], [1, 3], 0.9),
  broiling: nuisanceTemplate('broiling', ['kitchen'], [1, 3], 0.9),
  toast: nuisanceTemplate('toast', ['kitchen'], [1, 3], 0.9),
  shower: nuisanceTemplate('shower', ['bathroom'], [0.5, 2], 0),
  dust: nuisanceTemplate('dust', ['living', 'office'], [1, 4], 0.5),
  cigarette: nuisanceTemplate('cigarette', HOMES, [1, 4], 1.1),
  vaping: nuisanceTemplate('vaping', HOMES, [1, 4], 1.1),
  'space-heater': nuisanceTemplate('space-heater', ['living', 'bedroom', 'office'], [1, 4], 0),
  sunlight: nuisanceTemplate('sunlight', ['living', 'office'], [1, 4], 0),
  people: nuisanceTemplate('people', ['living', 'office'], [1, 4], 0),
  occupancy: nuisanceTemplate('occupancy', ['office', 'living'], [1, 4], 0),
  'pan-fire-after-cooking': (rng: Rng): Draft => {
    const d = draft(rng, 'kitchen');
    const cooking = addNuisance(d, 'frying', [1, 3], 0.9, rng.uniform(30, 300));
    const ignition = cooking.start_s + rng.uniform(0.3, 0.9) * cooking.duration_s;
    addFire(d, 'cooking-oil', cooking.position, ignition);
    return d;
  },
  'fire-behind-heater': (rng: Rng): Draft => {
    const d = draft(rng, rng.pick(['living', 'bedroom'] as const));
    const heater = addNuisance(d, 'space-heater', [1.5, 3.5], 0, 0);
    // Behind the heater as the camera sees it: further along the line from the sensor.
    const dx = heater.position.x_m - d.sensor.x_m;
    const dy = heater.position.y_m - d.sensor.y_m;
    const k = 1 + rng.uniform(0.3, 1) / Math.max(Math.hypot(dx, dy), 0.1);
    const behind = drawSourcePosition(
      rng,
      d.room,
      { ...d.sensor, x_m: d.sensor.x_m + k * dx, y_m: d.sensor.y_m + k * dy },
      0,
      0.3,
    );
    addFire(
      d,
      rng.pick(['ul217-flaming-pu', 'tf1-open-wood', 'tf4-flaming-pu'] as const),
      behind,
      rng.uniform(600, 1800),
    );
    d.target = heater.position;
    return d;
  },
  'smoulder-under-normal-life': (rng: Rng): Draft => {
    const d = draft(rng, 'living');
    for (let i = rng.int(1, 2); i > 0; i--) addNuisance(d, 'people', [1, 4], 0, rng.uniform(0, 600));
    if (rng.chance(0.5)) addNuisance(d, 'occupancy', [1, 4], 0, 0);
    const cls = rng.pick([
      'ul217-smouldering-pu',
      'tf7-slow-smouldering-wood',
      'tf2-smouldering-wood',
    ] as const);
    addFire(
      d,
      cls,
      drawSourcePosition(rng, d.room, d.sensor, rng.uniform(1, 4), 0.4),
      rng.uniform(300, 1200),
    );
    return d;
  },
  'normal-day': (rng: Rng): Draft => {
    const d = draft(rng, rng.pick(['living', 'office'] as const));
    for (let i = rng.int(1, 3); i > 0; i--) addNuisance(d, 'people', [1, 4], 0, rng.uniform(0, 900));
    if (rng.chance(0.5)) addNuisance(d, 'occupancy', [1, 4], 0, 0);
    d.durationS = 3600;
    return d;
  },
  'normal-night': (rng: Rng): Draft => {
    const d = draft(rng, 'bedroom');
    if (rng.chance(0.7)) addNuisance(d, 'people', [1, 3], 0, 0);
    d.target = null;
    d.durationS = 3600;
    return d;
  },
  'sensor-faults': (rng: Rng): Draft => {
    const d = draft(rng, rng.pick(['living', 'office'] as const));
    addNuisance(d, 'people', [1, 4], 0, 0);
    d.durationS = 1800;
    return d;
  },
  ...HOUSE_TEMPLATES,
} satisfies Record<string, (rng: Rng) => Draft>;

export type TemplateName = keyof typeof TEMPLATES;
/** Every template the catalogue knows. */
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

/** Whether `name` is a template of the catalogue. */
export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name);
}

/** Knobs of {@link drawScenario}. */
export interface DrawOptions {
  /** Probability that random sensor faults are added (always for 'sensor-faults'). Default 0.1. */
  faultProbability?: number;
}

/** A concrete scenario drawn from `template` with `seed`: the same pair always gives the same scenario. */
export function drawScenario(template: string, seed: number, options: DrawOptions = {}): Scenario {
  if (!isTemplateName(template)) {
    throw new EmberError('EMBER_ERR_BAD_SCENARIO', `unknown scenario template '${template}'`);
  }
  const rng = new Rng(mixSeed(seed, hashLabel(template)));
  const d = TEMPLATES[template](rng.fork('layout'));
  const extras = rng.fork('extras');
  const durationS = Math.round(d.durationS);
  const withFaults = template === 'sensor-faults' || extras.chance(options.faultProbability ?? 0.1);
  const camera = aimCamera(extras, d.sensor, d.target ?? roomCentre(d.room), d.target ? 12 : 25);
  return parseScenario({
    schema_version: 1,
    template,
    seed: extras.int(0, 2 ** 31 - 1),
    room: d.room,
    sensor_position: d.sensor,
    camera,
    background: drawBackground(extras),
    nuisances: d.nuisances,
    fire: d.fire,
    faults: withFaults ? drawFaults(extras, durationS) : [],
    suggested_duration_s: durationS,
  });
}
