import { drawFire } from './fire-classes.js';
import type { FireOverrides } from './fire-classes.js';
import { drawNuisance } from './nuisance-kinds.js';
import type { Rng } from './prng.js';
import { drawRoom, drawSensorPosition, drawSourcePosition } from './room-draws.js';
import type { RoomKind } from './room-draws.js';
import type {
  Fire,
  FireClassName,
  Nuisance,
  NuisanceKind,
  Room,
  Route,
  Vec3,
} from '../../shared/dataset/scenario-schema.js';

/** A scenario being drawn by a template: what happens where, before the camera and background. */
export interface Draft {
  readonly rng: Rng;
  readonly room: Room;
  readonly sensor: Vec3;
  readonly nuisances: Nuisance[];
  fire: Fire | null;
  /** Where the camera looks; the room centre when null. */
  target: Vec3 | null;
  durationS: number;
}

export type Range = readonly [number, number];

export function draft(rng: Rng, kind: RoomKind): Draft {
  const room = drawRoom(rng, kind);
  return {
    rng,
    room,
    sensor: drawSensorPosition(rng, room),
    nuisances: [],
    fire: null,
    target: null,
    durationS: 0,
  };
}

/** Adds a nuisance about `radius` from the sensor, or in another room along `route`. */
export function addNuisance(
  d: Draft,
  kind: NuisanceKind,
  radius: Range,
  heightM: number,
  startS: number,
  route: Route | null = null,
): Nuisance {
  const at = drawSourcePosition(d.rng, d.room, d.sensor, d.rng.uniform(radius[0], radius[1]), heightM);
  const n = drawNuisance(d.rng, kind, at, startS, route);
  d.nuisances.push(n);
  d.target ??= n.hotspot !== null && route === null ? at : null;
  d.durationS = Math.max(d.durationS, Math.min(startS + n.duration_s + 600, 7200));
  return n;
}

export function addFire(
  d: Draft,
  cls: FireClassName,
  at: Vec3,
  ignitionS: number,
  overrides?: FireOverrides,
): void {
  const fire = drawFire(d.rng, cls, at, ignitionS, overrides);
  d.fire = fire;
  // One camera in seven looks elsewhere: fires outside the view must be caught by the gas sensors.
  // A fire in another room is out of its view anyway (the draw still happens, so seeds stay put).
  const elsewhere = d.rng.chance(1 / 7);
  d.target = elsewhere || fire.route !== null ? null : at;
  const watchS = fire.smouldering ? (fire.alpha_kw_s2 < 1e-6 ? 4800 : 1800) : 900;
  // A fire run ends a while after ignition, however long its background nuisances last.
  d.durationS = ignitionS + watchS;
}
