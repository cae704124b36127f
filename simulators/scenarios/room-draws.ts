import type { Rng } from './prng.js';
import { roomFootprint } from '../../shared/dataset/scenario-schema.js';
import type {
  Background,
  Camera,
  FaultKind,
  Room,
  SensorFault,
  Vec3,
} from '../../shared/dataset/scenario-schema.js';

/** Draws of the parts every scenario has: room, background, positions, camera aim, faults. */

export type RoomKind = 'living' | 'kitchen' | 'bathroom' | 'bedroom' | 'office' | 'test-room' | 'home';

const ROOMS: Readonly<
  Record<RoomKind, { volume: [number, number]; height: [number, number]; ach: [number, number] }>
> = {
  living: { volume: [35, 90], height: [2.4, 2.9], ach: [0.3, 1.5] },
  kitchen: { volume: [20, 55], height: [2.4, 2.8], ach: [0.5, 4] },
  bathroom: { volume: [8, 22], height: [2.3, 2.6], ach: [0.5, 3] },
  bedroom: { volume: [25, 55], height: [2.4, 2.7], ach: [0.2, 1] },
  office: { volume: [60, 250], height: [2.6, 3.5], ach: [1, 4] },
  // A whole flat or single-storey home seen as one volume, for sources in another room
  // than the sensor (the NIST test home is about 180 m³).
  home: { volume: [120, 400], height: [2.3, 2.7], ach: [0.3, 1.5] },
  // Centred on the EN 54 fire test room (about 10 × 7 × 4 m).
  'test-room': { volume: [180, 320], height: [3.4, 4.2], ach: [0, 0.5] },
};

/** A room of `kind` with size and ventilation drawn from its range. */
export function drawRoom(rng: Rng, kind: RoomKind): Room {
  const r = ROOMS[kind];
  return {
    volume_m3: rng.uniform(r.volume[0], r.volume[1]),
    ceiling_height_m: rng.uniform(r.height[0], r.height[1]),
    aspect_ratio: rng.uniform(0.7, 1.6),
    air_changes_per_hour: rng.uniform(r.ach[0], r.ach[1]),
  };
}

/** Day/night temperature, humidity, outdoor CO₂, ambient PM and weather of a run. */
export function drawBackground(rng: Rng): Background {
  return {
    start_hour: rng.uniform(0, 24),
    temp_mean_c: rng.uniform(17, 26),
    temp_amplitude_c: rng.uniform(0.3, 3),
    humidity_pct: rng.uniform(30, 65),
    outdoor_co2_ppm: rng.uniform(400, 460),
    ambient_pm25_ugm3: rng.around(8, 0.6),
    ambient_co_ppm: rng.uniform(0, 2),
    voc_ppb: rng.around(150, 0.5),
    altitude_m: rng.uniform(0, 600),
    pressure_trend_hpa_per_h: rng.normal(0, 0.4),
    surface_offset_c: rng.normal(0, 0.8),
  };
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

/** The sensor kit on the ceiling, away from the walls. */
export function drawSensorPosition(rng: Rng, room: Room): Vec3 {
  const { width_m, depth_m } = roomFootprint(room);
  return {
    x_m: rng.uniform(0.3, 0.7) * width_m,
    y_m: rng.uniform(0.3, 0.7) * depth_m,
    z_m: room.ceiling_height_m - 0.05,
  };
}

/** A point `heightM` above the floor at about `radiusM` horizontally from `from`, kept inside the room. */
export function drawSourcePosition(rng: Rng, room: Room, from: Vec3, radiusM: number, heightM: number): Vec3 {
  const { width_m, depth_m } = roomFootprint(room);
  const margin = Math.min(0.3, width_m / 4, depth_m / 4);
  let x = from.x_m;
  let y = from.y_m;
  // Try a few headings so that the radius survives in small rooms; clamp as a last resort.
  for (let attempt = 0; attempt < 8; attempt++) {
    const angle = rng.uniform(0, 2 * Math.PI);
    x = from.x_m + radiusM * Math.cos(angle);
    y = from.y_m + radiusM * Math.sin(angle);
    if (x >= margin && x <= width_m - margin && y >= margin && y <= depth_m - margin) break;
  }
  return {
    x_m: clamp(x, margin, width_m - margin),
    y_m: clamp(y, margin, depth_m - margin),
    z_m: Math.min(heightM, room.ceiling_height_m - 0.5),
  };
}

/** The thermal camera beside the sensor, aimed near `target` (off it by up to `jitterDeg`). */
export function aimCamera(rng: Rng, at: Vec3, target: Vec3, jitterDeg: number): Camera {
  const dx = target.x_m - at.x_m;
  const dy = target.y_m - at.y_m;
  const dz = target.z_m - at.z_m;
  const yaw = (Math.atan2(dy, dx) * 180) / Math.PI;
  const pitch = (Math.atan2(dz, Math.hypot(dx, dy)) * 180) / Math.PI;
  return {
    position: at,
    yaw_deg: yaw + rng.uniform(-jitterDeg, jitterDeg),
    pitch_deg: clamp(pitch + rng.uniform(-jitterDeg, jitterDeg) / 2, -85, 10),
    hfov_deg: 55,
    vfov_deg: 35,
  };
}

/** The room centre on the floor, where a camera looks when nothing special is going on. */
export function roomCentre(room: Room): Vec3 {
  const { width_m, depth_m } = roomFootprint(room);
  return { x_m: width_m / 2, y_m: depth_m / 2, z_m: 0.5 };
}

const SENSORS = ['pms5003', 'ze07', 'mhz19b', 'mcu90640', 'mcu680'] as const;
const FAULT_KINDS = [
  'stuck',
  'drift',
  'saturation',
  'dropout',
  'disconnect',
] as const satisfies readonly FaultKind[];

/** Drift rates per hour of each module's main channel. */
const DRIFT_PER_HOUR = { pms5003: 40, ze07: 15, mhz19b: 300, mcu90640: 3, mcu680: 2 } as const;

/** One to three faults at random times within `durationS`. */
export function drawFaults(rng: Rng, durationS: number): SensorFault[] {
  const count = rng.int(1, 3);
  const faults: SensorFault[] = [];
  for (let i = 0; i < count; i++) {
    const sensor = rng.pick(SENSORS);
    const kind = rng.pick(FAULT_KINDS);
    const start = rng.uniform(0, 0.8 * durationS);
    faults.push({
      sensor,
      kind,
      start_s: start,
      end_s: start + rng.uniform(0.05, 0.5) * durationS,
      drift_per_hour: DRIFT_PER_HOUR[sensor] * rng.uniform(-1, 1),
      dropout_probability: rng.uniform(0.05, 0.6),
    });
  }
  return faults;
}
