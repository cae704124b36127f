import type { ThermalSource } from '../../shared/dataset/env-series.js';
import { heatReleaseAt, heatReleaseCurve } from './heat-release.js';
import type { HeatReleaseCurve } from './heat-release.js';
import { envelopeAt } from './nuisance-kinds.js';
import { Rng } from './prng.js';
import { roomFootprint } from '../../shared/dataset/scenario-schema.js';
import type { Fire, Nuisance, Scenario } from '../../shared/dataset/scenario-schema.js';

/**
 * What the thermal camera looks at: a pinhole projection of every hot object
 * (flames, glowing cores, heaters, pans, sunlit patches, people) into the
 * 32 × 24 image, as Gaussian blobs with a peak coverage that keeps sub-pixel
 * sources faint (a 600 °C ember smaller than a pixel reads far cooler).
 */

export const THERMAL_WIDTH = 32;
export const THERMAL_HEIGHT = 24;

interface Basis {
  readonly ox: number;
  readonly oy: number;
  readonly oz: number;
  readonly f: readonly [number, number, number];
  readonly r: readonly [number, number, number];
  readonly u: readonly [number, number, number];
  readonly fx: number;
  readonly fy: number;
}

interface Path {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Arrival time at each waypoint, then departure after a pause, from the nuisance start. */
  readonly arrive: Float64Array;
  readonly leave: Float64Array;
}

/** A scenario prepared for fast per-frame queries. */
export interface ThermalScene {
  readonly basis: Basis;
  readonly nuisances: readonly { readonly n: Nuisance; readonly path: Path | null }[];
  readonly fire: { readonly fire: Fire; readonly curve: HeatReleaseCurve } | null;
}

function cameraBasis(s: Scenario): Basis {
  const c = s.camera;
  const yaw = (c.yaw_deg * Math.PI) / 180;
  const pitch = (c.pitch_deg * Math.PI) / 180;
  const f = [Math.cos(pitch) * Math.cos(yaw), Math.cos(pitch) * Math.sin(yaw), Math.sin(pitch)] as const;
  const r = [Math.sin(yaw), -Math.cos(yaw), 0] as const;
  // up = right × forward
  const u = [r[1] * f[2] - r[2] * f[1], r[2] * f[0] - r[0] * f[2], r[0] * f[1] - r[1] * f[0]] as const;
  return {
    ox: c.position.x_m,
    oy: c.position.y_m,
    oz: c.position.z_m,
    f,
    r,
    u,
    fx: THERMAL_WIDTH / 2 / Math.tan((c.hfov_deg * Math.PI) / 360),
    fy: THERMAL_HEIGHT / 2 / Math.tan((c.vfov_deg * Math.PI) / 360),
  };
}

/** Random waypoints with pauses, long enough to cover the nuisance's window. */
function wanderPath(n: Nuisance, speed: number, seed: number, width: number, depth: number): Path {
  const rng = new Rng(seed);
  const xs: number[] = [n.position.x_m];
  const ys: number[] = [n.position.y_m];
  const arrive: number[] = [0];
  const leave: number[] = [rng.uniform(5, 60)];
  const margin = Math.min(0.4, width / 4, depth / 4);
  while ((leave[leave.length - 1] ?? 0) < n.duration_s) {
    const x = rng.uniform(margin, width - margin);
    const y = rng.uniform(margin, depth - margin);
    const last = xs.length - 1;
    const travel = Math.hypot(x - (xs[last] ?? x), y - (ys[last] ?? y)) / speed;
    const at = (leave[last] ?? 0) + travel;
    xs.push(x);
    ys.push(y);
    arrive.push(at);
    leave.push(at + rng.uniform(5, 120));
  }
  return {
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    arrive: Float64Array.from(arrive),
    leave: Float64Array.from(leave),
  };
}

/** Precomputes the camera basis, wander paths and fire curve of `s`; sources in other rooms are out of view. */
export function compileThermalScene(s: Scenario): ThermalScene {
  const { width_m, depth_m } = roomFootprint(s.room);
  return {
    basis: cameraBasis(s),
    nuisances: s.nuisances
      .filter((n) => n.hotspot !== null && n.route === null)
      .map((n) => {
        const motion = n.hotspot?.motion;
        const path =
          motion?.kind === 'wander' ? wanderPath(n, motion.speed_m_s, motion.seed, width_m, depth_m) : null;
        return { n, path };
      }),
    fire: s.fire !== null && s.fire.route === null ? { fire: s.fire, curve: heatReleaseCurve(s.fire) } : null,
  };
}

function positionOnPath(p: Path, s: number): [number, number] {
  let lo = 0;
  let hi = p.arrive.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((p.arrive[mid] ?? 0) <= s) lo = mid;
    else hi = mid - 1;
  }
  const x0 = p.x[lo] ?? 0;
  const y0 = p.y[lo] ?? 0;
  const leave = p.leave[lo] ?? 0;
  const next = lo + 1;
  if (s <= leave || next >= p.x.length) return [x0, y0];
  const k = (s - leave) / ((p.arrive[next] ?? leave + 1) - leave);
  return [x0 + k * ((p.x[next] ?? x0) - x0), y0 + k * ((p.y[next] ?? y0) - y0)];
}

function project(
  b: Basis,
  label: string,
  x: number,
  y: number,
  z: number,
  widthM: number,
  heightM: number,
  tempC: number,
  emissivity: number,
  out: ThermalSource[],
): void {
  const dx = x - b.ox;
  const dy = y - b.oy;
  const dz = z - b.oz;
  const depth = dx * b.f[0] + dy * b.f[1] + dz * b.f[2];
  if (depth < 0.1) return;
  const u = THERMAL_WIDTH / 2 + ((dx * b.r[0] + dy * b.r[1] + dz * b.r[2]) / depth) * b.fx;
  const v = THERMAL_HEIGHT / 2 - ((dx * b.u[0] + dy * b.u[1] + dz * b.u[2]) / depth) * b.fy;
  const wPx = (widthM / depth) * b.fx;
  const hPx = (heightM / depth) * b.fy;
  const su = Math.max(wPx / 2.5, 0.45);
  const sv = Math.max(hPx / 2.5, 0.45);
  if (u + 3 * su < 0 || u - 3 * su > THERMAL_WIDTH || v + 3 * sv < 0 || v - 3 * sv > THERMAL_HEIGHT) return;
  // A Gaussian of peak c integrates to c·2π·σu·σv: keep that equal to the object's area when it is small.
  const coverage = Math.min(1, (wPx * hPx) / (2 * Math.PI * su * sv)) * emissivity;
  out.push({
    label,
    u_px: u,
    v_px: v,
    sigma_u_px: su,
    sigma_v_px: sv,
    coverage,
    temp_c: tempC,
    distance_m: depth,
  });
}

/** Hot objects in view at time `t`, farthest first (the order to paint them in). */
export function thermalSourcesAt(scene: ThermalScene, t: number, surfaceC: number): ThermalSource[] {
  const out: ThermalSource[] = [];
  const b = scene.basis;
  for (const { n, path } of scene.nuisances) {
    const h = n.hotspot;
    const level = envelopeAt(n, t);
    if (h === null || level <= 0) continue;
    const s = t - n.start_s;
    let x = n.position.x_m;
    let y = n.position.y_m;
    if (h.motion.kind === 'drift') {
      x += h.motion.vx_m_s * s;
      y += h.motion.vy_m_s * s;
    } else if (path !== null) {
      [x, y] = positionOnPath(path, s);
    }
    // A heater element or pan cools towards the room as its output falls.
    const temp = surfaceC + (h.temp_c - surfaceC) * Math.min(1, 0.3 + 0.7 * level);
    project(b, n.kind, x, y, n.position.z_m + h.height_m / 2, h.width_m, h.height_m, temp, 1, out);
  }
  if (scene.fire !== null) {
    const { fire, curve } = scene.fire;
    const q = heatReleaseAt(curve, t);
    if (q > 0.01) {
      const diameter = Math.sqrt((4 * q) / (Math.PI * fire.hrr_per_area_kw_m2));
      // Heskestad's mean flame height; a glowing smoulder is a flat ember instead.
      const height = fire.smouldering
        ? diameter
        : Math.max(0.235 * Math.pow(q, 0.4) - 1.02 * diameter, 0.4 * diameter);
      const p = fire.position;
      project(
        b,
        'fire',
        p.x_m,
        p.y_m,
        p.z_m + height / 2,
        diameter,
        height,
        fire.flame_temp_c,
        fire.flame_emissivity,
        out,
      );
    }
  }
  return out.sort((a, c) => c.distance_m - a.distance_m);
}
