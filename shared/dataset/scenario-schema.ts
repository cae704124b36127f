import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { ProtocolName } from '../../shared/schemas/readings.js';

/**
 * A concrete scenario: every number the engine needs, so a run can be stored
 * as JSON and replayed without the catalogue that drew it. Units are in the
 * field names; positions are metres in room coordinates (x along the width,
 * y along the depth, z up from the floor).
 */

const nonNeg = z.number().nonnegative();
const positive = z.number().positive();
const fraction = z.number().min(0).max(1);

/** A point in room coordinates, metres. */
export const Vec3 = z.object({ x_m: z.number(), y_m: z.number(), z_m: nonNeg });
export type Vec3 = z.infer<typeof Vec3>;

/** The room: its volume, ceiling height, footprint shape and ventilation. */
export const Room = z.object({
  volume_m3: z.number().min(5).max(5000),
  ceiling_height_m: z.number().min(2).max(15),
  /** Floor width / depth; the footprint is derived from volume, height and this ratio. */
  aspect_ratio: z.number().min(0.2).max(5),
  air_changes_per_hour: z.number().min(0).max(30),
});
export type Room = z.infer<typeof Room>;

/** A lognormal particle population: how mass turns into PM fractions, counts and light extinction. */
export const Aerosol = z.object({
  count_median_um: z.number().min(0.01).max(50),
  geometric_sd: z.number().min(1.05).max(4),
  density_g_cm3: z.number().min(0.5).max(5),
  extinction_m2_g: z.number().min(0).max(20),
});
export type Aerosol = z.infer<typeof Aerosol>;

/** Where the thermal camera sits and looks, and its field of view. */
export const Camera = z.object({
  position: Vec3,
  /** Heading of the optical axis in the floor plane, degrees from +x towards +y. */
  yaw_deg: z.number(),
  /** Elevation of the optical axis, negative looking down. */
  pitch_deg: z.number().min(-90).max(90),
  hfov_deg: z.number().min(10).max(170),
  vfov_deg: z.number().min(10).max(170),
});
export type Camera = z.infer<typeof Camera>;

/** What the room does without any source: climate, air quality, weather. */
export const Background = z.object({
  /** Clock hour at t = 0, for the day/night cycle. */
  start_hour: z.number().min(0).max(24),
  temp_mean_c: z.number().min(-10).max(45),
  /** Half the day/night swing; the minimum falls at 05:00, the maximum at 17:00. */
  temp_amplitude_c: z.number().min(0).max(10),
  /** Relative humidity at the mean temperature; absolute humidity is what stays put. */
  humidity_pct: z.number().min(5).max(95),
  outdoor_co2_ppm: z.number().min(350).max(600),
  ambient_pm25_ugm3: z.number().min(0).max(300),
  ambient_co_ppm: z.number().min(0).max(9),
  voc_ppb: z.number().min(0).max(3000),
  altitude_m: z.number().min(-400).max(4000),
  pressure_trend_hpa_per_h: z.number().min(-3).max(3),
  /** Room surfaces relative to the air, as the thermal camera sees them. */
  surface_offset_c: z.number().min(-5).max(5),
});
export type Background = z.infer<typeof Background>;

export const FireClassName = z.enum([
  'tf1-open-wood',
  'tf2-smouldering-wood',
  'tf3-smouldering-cotton',
  'tf4-flaming-pu',
  'tf5-n-heptane',
  'tf6-ethanol',
  'tf7-slow-smouldering-wood',
  'tf8-decalin',
  'ul217-flaming-pu',
  'ul217-smouldering-pu',
  'cooking-oil',
  'upholstered-flaming',
]);
export type FireClassName = z.infer<typeof FireClassName>;

/**
 * How a source outside the sensor's room reaches it: along ceilings for
 * `path_m` (a hallway, the run through a doorway into a bedroom) through
 * `doors` open doorways. Heat is lost to the surfaces on the way and at each
 * doorway; smoke keeps going. The thermal camera, in the sensor's room,
 * never sees such a source.
 */
export const Route = z.object({
  path_m: z.number().min(0.5).max(40),
  doors: z.number().int().min(0).max(3),
});
export type Route = z.infer<typeof Route>;

/** Zero or one fire: a t-squared heat release capped at q_max and limited by its fuel. */
export const Fire = z.object({
  fire_class: FireClassName,
  smouldering: z.boolean(),
  ignition_s: nonNeg,
  position: Vec3,
  alpha_kw_s2: z.number().positive().max(2),
  /** Flaming heat release the moment it is lit, kW: furniture lit by a flame starts at a few kW. */
  initial_kw: nonNeg.default(0),
  /** Seconds the fire burns at `initial_kw` before its t-squared growth sets in. */
  incubation_s: nonNeg.default(0),
  q_max_kw: positive,
  fuel_mass_kg: positive,
  /** kJ/g; for smouldering fuels the heat actually released per gram lost. */
  heat_of_combustion_kj_g: positive,
  convective_fraction: fraction,
  smoke_yield: fraction,
  co_yield: fraction,
  co2_yield: z.number().min(0).max(5),
  h2o_yield: z.number().min(0).max(3),
  voc_yield: fraction,
  aerosol: Aerosol,
  hrr_per_area_kw_m2: positive,
  /** What the thermal camera would see on the flame or glowing core before its 300 °C clip. */
  flame_temp_c: z.number().min(50).max(1500),
  flame_emissivity: fraction,
  /** When the fire is outside the sensor's room: how its gases get there. */
  route: Route.nullable().default(null),
});
export type Fire = z.infer<typeof Fire>;

export const NuisanceKind = z.enum([
  'frying',
  'broiling',
  'toast',
  'shower',
  'dust',
  'cigarette',
  'vaping',
  'space-heater',
  'sunlight',
  'people',
  'occupancy',
]);
export type NuisanceKind = z.infer<typeof NuisanceKind>;

/** How a nuisance's output varies over its active window. */
export const Envelope = z.object({
  kind: z.enum(['steady', 'ramp', 'bursts', 'cycling']),
  period_s: positive,
  duty: fraction,
});
export type Envelope = z.infer<typeof Envelope>;

export const Motion = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('static') }),
  z.object({ kind: z.literal('drift'), vx_m_s: z.number(), vy_m_s: z.number() }),
  z.object({ kind: z.literal('wander'), speed_m_s: positive, seed: z.number().int().nonnegative() }),
]);
export type Motion = z.infer<typeof Motion>;

export const Hotspot = z.object({
  temp_c: z.number().min(-40).max(1500),
  width_m: positive,
  height_m: positive,
  motion: Motion,
});
export type Hotspot = z.infer<typeof Hotspot>;

/** A non-fire source: one generic shape, kinds differ only in their drawn numbers. */
export const Nuisance = z.object({
  kind: NuisanceKind,
  start_s: nonNeg,
  duration_s: positive,
  position: Vec3,
  /** Convective heat into the plume at full output. */
  heat_kw: nonNeg,
  pm_mg_s: nonNeg,
  co_mg_s: nonNeg,
  co2_mg_s: nonNeg,
  h2o_g_s: nonNeg,
  voc_mg_s: nonNeg,
  /** Liquid droplets (steam, mist): not dry PM, but optical counters see them. */
  droplet_mg_s: nonNeg,
  aerosol: Aerosol,
  envelope: Envelope,
  hotspot: Hotspot.nullable(),
  /** When the source is outside the sensor's room: how its gases get there. */
  route: Route.nullable().default(null),
});
export type Nuisance = z.infer<typeof Nuisance>;

export const FaultKind = z.enum(['stuck', 'drift', 'saturation', 'dropout', 'disconnect']);
export type FaultKind = z.infer<typeof FaultKind>;

/** A sensor fault during [start_s, end_s) on one module. */
export const SensorFault = z
  .object({
    sensor: ProtocolName,
    kind: FaultKind,
    start_s: nonNeg,
    end_s: nonNeg,
    /** drift: change of the main channel per hour, in that channel's unit. */
    drift_per_hour: z.number().default(0),
    /** dropout: probability that a sample is lost. */
    dropout_probability: fraction.default(0.3),
  })
  .refine((f) => f.end_s > f.start_s, { message: 'end_s must be after start_s', path: ['end_s'] });
export type SensorFault = z.infer<typeof SensorFault>;

/** One concrete scenario, complete enough to replay a run from JSON. */
export const Scenario = z.object({
  schema_version: z.literal(1),
  /** The catalogue template this scenario was drawn from, or a free name. */
  template: z.string().min(1),
  /** Seeds sensor noise and unit-to-unit variation during the run. */
  seed: z.number().int().nonnegative(),
  room: Room,
  sensor_position: Vec3,
  camera: Camera,
  background: Background,
  nuisances: z.array(Nuisance),
  fire: Fire.nullable(),
  faults: z.array(SensorFault),
  suggested_duration_s: positive,
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** Floor width and depth derived from the room's volume, height and aspect ratio. */
export function roomFootprint(room: Room): { width_m: number; depth_m: number } {
  const area = room.volume_m3 / room.ceiling_height_m;
  const width = Math.sqrt(area * room.aspect_ratio);
  return { width_m: width, depth_m: area / width };
}

/** Validates outside input; throws EMBER_ERR_BAD_SCENARIO naming the path of the first bad field. */
export function parseScenario(input: unknown): Scenario {
  const result = Scenario.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new EmberError('EMBER_ERR_BAD_SCENARIO', `scenario.${where}: ${issue?.message ?? 'invalid'}`, {
      cause: result.error,
    });
  }
  const s = result.data;
  const { width_m, depth_m } = roomFootprint(s.room);
  const points: [string, Vec3][] = [
    ['sensor_position', s.sensor_position],
    ...s.nuisances.map((n, i): [string, Vec3] => [`nuisances.${i}.position`, n.position]),
  ];
  if (s.fire) points.push(['fire.position', s.fire.position]);
  for (const [where, p] of points) {
    const inside =
      p.x_m >= 0 && p.x_m <= width_m && p.y_m >= 0 && p.y_m <= depth_m && p.z_m <= s.room.ceiling_height_m;
    if (!inside) throw new EmberError('EMBER_ERR_BAD_SCENARIO', `scenario.${where}: outside the room`);
  }
  return s;
}
