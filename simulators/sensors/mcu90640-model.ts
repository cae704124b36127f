import { envValueAt } from '../../shared/dataset/env-series.js';
import { THERMAL_HEIGHT, THERMAL_WIDTH, thermalSourcesAt } from '../scenarios/thermal-scene.js';
import type { ThermalSource } from '../../shared/dataset/env-series.js';
import type { ThermalScene } from '../scenarios/thermal-scene.js';
import type { SensorInput } from './sample-series.js';
import type { ThermalSeries } from '../../shared/dataset/sensor-series.js';

/**
 * GY-MCU90640 (MLX90640, 32 × 24): frames rendered straight into one Int16Array
 * of °C × 100, the frame encoding's own unit. Rendering is the hot path of a
 * run (14,400 frames an hour at 4 Hz), so it uses precomputed per-pixel
 * offsets, a table of Gaussian noise indexed by an inline xorshift, and
 * separable blobs painted only over their bounding boxes.
 */

export const MCU90640_FRAME_RATES_HZ = [0.5, 1, 2, 4, 8, 16] as const;
export type Mcu90640FrameRate = (typeof MCU90640_FRAME_RATES_HZ)[number];
export const MCU90640_DEFAULT_HZ: Mcu90640FrameRate = 4;
export const MCU90640_RANGE_C = { min: -40, max: 300 } as const;
const PIXELS = THERMAL_WIDTH * THERMAL_HEIGHT;
/** Gaussian noise table (°C × 100); each frame walks it from a random start with a random odd stride. */
const NOISE_TABLE_SIZE = 8192;
const NOISE_MASK = NOISE_TABLE_SIZE - 1;

function toCenti(c: number): number {
  const v = Math.round(c * 100);
  return v < -4000 ? -4000 : v > 30000 ? 30000 : v;
}

/**
 * Adds the surface temperature and temporal noise to `work` (°C × 100 relative
 * to the surface) and writes the clipped frame. An odd stride below the table
 * size visits 768 distinct entries, so pixels of a frame never share a draw.
 */
function addNoiseAndStore(
  work: Float64Array,
  noise: Float32Array,
  pixels: Int16Array,
  out: number,
  surfaceCenti: number,
  start: number,
  stride: number,
): void {
  let i = start;
  for (let p = 0; p < PIXELS; p++) {
    const x = (work[p] ?? 0) + surfaceCenti + (noise[i & NOISE_MASK] ?? 0);
    i += stride;
    // Truncating a positive number rounds it: far cheaper than Math.round in this loop.
    pixels[out + p] = x >= 30000 ? 30000 : x <= -4000 ? -4000 : ((x + 4000.5) | 0) - 4000;
  }
}

/** Paints `s` over `work` (°C × 100 above `surface`) by partial coverage: nearer sources occlude farther ones. */
function paint(
  work: Float64Array,
  s: ThermalSource,
  surface: number,
  gx: Float64Array,
  gy: Float64Array,
): void {
  const x0 = Math.max(0, Math.floor(s.u_px - 3 * s.sigma_u_px));
  const x1 = Math.min(THERMAL_WIDTH - 1, Math.ceil(s.u_px + 3 * s.sigma_u_px));
  const y0 = Math.max(0, Math.floor(s.v_px - 3 * s.sigma_v_px));
  const y1 = Math.min(THERMAL_HEIGHT - 1, Math.ceil(s.v_px + 3 * s.sigma_v_px));
  const ku = -0.5 / (s.sigma_u_px * s.sigma_u_px);
  const kv = -0.5 / (s.sigma_v_px * s.sigma_v_px);
  for (let x = x0; x <= x1; x++) {
    const d = x + 0.5 - s.u_px;
    gx[x] = Math.exp(ku * d * d);
  }
  for (let y = y0; y <= y1; y++) {
    const d = y + 0.5 - s.v_px;
    gy[y] = s.coverage * Math.exp(kv * d * d);
  }
  const temp = (s.temp_c - surface) * 100;
  for (let y = y0; y <= y1; y++) {
    const row = y * THERMAL_WIDTH;
    const wy = gy[y] ?? 0;
    for (let x = x0; x <= x1; x++) {
      const p = row + x;
      const v = work[p] ?? 0;
      work[p] = v + wy * (gx[x] ?? 0) * (temp - v);
    }
  }
}

/** Camera-unit properties: fixed-pattern offsets, vertical gradient, vignetting, noise. */
function unitPattern(input: SensorInput): { base: Float64Array; noise: Float32Array; dieOffset: number } {
  const unit = input.rng.fork('unit');
  const gradient = unit.uniform(0.5, 2);
  const vignette = unit.uniform(-0.6, 0.3);
  const fpnSd = unit.uniform(0.05, 0.2);
  const noiseSd = unit.uniform(0.1, 0.5);
  const base = new Float64Array(PIXELS);
  for (let y = 0; y < THERMAL_HEIGHT; y++) {
    for (let x = 0; x < THERMAL_WIDTH; x++) {
      const du = (x + 0.5) / THERMAL_WIDTH - 0.5;
      const dv = (y + 0.5) / THERMAL_HEIGHT - 0.5;
      // Upper rows look at the warmer ceiling; corners read off in every MLX90640.
      base[y * THERMAL_WIDTH + x] =
        100 * (-gradient * dv + vignette * 4 * (du * du + dv * dv) + fpnSd * unit.gaussian());
    }
  }
  const noise = new Float32Array(NOISE_TABLE_SIZE);
  for (let i = 0; i < NOISE_TABLE_SIZE; i++) noise[i] = 100 * noiseSd * unit.gaussian(); // °C × 100
  return { base, noise, dieOffset: unit.uniform(3, 8) };
}

/** Renders every frame of a run; faults on the camera apply here (see {@link SensorInput}). */
export function simulateMcu90640(
  input: SensorInput,
  scene: ThermalScene,
  hz: Mcu90640FrameRate,
): ThermalSeries {
  const period = 1 / hz;
  const total = Math.floor(input.durationS * hz + 1e-9) + 1;
  const { base, noise, dieOffset } = unitPattern(input);
  const faultRng = input.rng.fork('faults');
  const t = new Float64Array(total);
  const pixels = new Int16Array(total * PIXELS);
  const ambient = new Int16Array(total);
  const work = new Float64Array(PIXELS);
  const gx = new Float64Array(THERMAL_WIDTH);
  const gy = new Float64Array(THERMAL_HEIGHT);
  const frameNoise = input.rng.fork('noise');
  let emitted = 0;
  for (let k = 0; k < total; k++) {
    const time = k * period;
    let offset = 0;
    let saturated = false;
    let stuck = false;
    let silent = false;
    for (const f of input.faults) {
      if (time < f.start_s || time >= f.end_s) continue;
      if (f.kind === 'drift') offset += (f.drift_per_hour * (time - f.start_s)) / 3600;
      else if (f.kind === 'saturation') saturated = true;
      else if (f.kind === 'stuck') stuck = emitted > 0;
      else if (f.kind === 'disconnect') silent = true;
      else if (faultRng.chance(f.dropout_probability)) silent = true;
    }
    if (silent) continue;
    const out = emitted * PIXELS;
    t[emitted] = time;
    if (stuck) {
      pixels.copyWithin(out, out - PIXELS, out);
      ambient[emitted] = ambient[emitted - 1] ?? 0;
      emitted++;
      continue;
    }
    const surface = envValueAt(input.env, 'surface_c', time) + offset;
    ambient[emitted] = toCenti(envValueAt(input.env, 'temp_c', time) + dieOffset);
    if (saturated) {
      pixels.fill(30000, out, out + PIXELS);
      emitted++;
      continue;
    }
    work.set(base);
    for (const s of thermalSourcesAt(scene, time, surface)) paint(work, s, surface, gx, gy);
    const start = frameNoise.nextUint32() & NOISE_MASK;
    const stride = (frameNoise.nextUint32() & NOISE_MASK) | 1;
    addNoiseAndStore(work, noise, pixels, out, surface * 100, start, stride);
    emitted++;
  }
  return {
    protocol: 'mcu90640',
    period_s: period,
    width: THERMAL_WIDTH,
    height: THERMAL_HEIGHT,
    t_s: t.slice(0, emitted),
    pixels_centi: emitted === total ? pixels : pixels.slice(0, emitted * PIXELS),
    ambient_centi: ambient.slice(0, emitted),
  };
}
