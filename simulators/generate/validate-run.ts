import { createHash } from 'node:crypto';
import { isEmberError } from '../../shared/errors.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { decodeRunFiles, type RunFileKind } from '../../shared/dataset/run-files.js';

/**
 * The validation stage: a run is accepted only when its files parse against
 * their schemas and every value is physically possible for the module that
 * reported it. Rejections carry reasons; nothing is dropped silently.
 */
type Limits = Record<string, readonly [number, number]>;

const SCALAR_LIMITS: Record<'pms5003' | 'ze07' | 'mhz19b' | 'mcu680', Limits> = {
  pms5003: {
    pm1_cf1_ugm3: [0, 1000],
    pm25_cf1_ugm3: [0, 1000],
    pm10_cf1_ugm3: [0, 1000],
    pm1_ugm3: [0, 1000],
    pm25_ugm3: [0, 1000],
    pm10_ugm3: [0, 1000],
    n0_3_per_dl: [0, 65535],
    n0_5_per_dl: [0, 65535],
    n1_0_per_dl: [0, 65535],
    n2_5_per_dl: [0, 65535],
    n5_0_per_dl: [0, 65535],
    n10_per_dl: [0, 65535],
  },
  ze07: { co_ppm: [0, 500] },
  mhz19b: { co2_ppm: [0, 5000], sensor_temp_c: [-20, 85], status: [0, 255] },
  mcu680: {
    temp_c: [-40, 85],
    humidity_pct: [0, 100],
    pressure_hpa: [300, 1100],
    iaq: [0, 500],
    iaq_accuracy: [0, 3],
    gas_ohm: [0, 4294967295],
    altitude_m: [-500, 9000],
  },
};

const MAX_REASONS = 20;

function checkTimes(name: string, times: ArrayLike<number>, durationS: number, reasons: string[]): void {
  let previous = -Infinity;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? Number.NaN;
    if (!(t > previous) || t < 0 || t > durationS + 1e-6) {
      reasons.push(`${name}: sample ${i} at t=${t}s is out of order or outside 0..${durationS}s`);
      return;
    }
    previous = t;
  }
}

/** Physical and consistency checks of a decoded run. */
export function checkTrace(trace: RunTrace): string[] {
  const reasons: string[] = [];
  const duration = trace.duration_s;
  for (const protocol of ['pms5003', 'ze07', 'mhz19b', 'mcu680'] as const) {
    const series = trace.sensors[protocol];
    checkTimes(
      protocol,
      series.samples.map((s) => s.t_s),
      duration,
      reasons,
    );
    const limits = SCALAR_LIMITS[protocol];
    for (const sample of series.samples) {
      for (const [channel, [min, max]] of Object.entries(limits)) {
        const value = (sample.values as unknown as Record<string, unknown>)[channel];
        if (typeof value !== 'number' || !(value >= min && value <= max)) {
          reasons.push(
            `${protocol}.${channel}=${String(value)} at t=${sample.t_s}s is outside ${min}..${max}`,
          );
          if (reasons.length >= MAX_REASONS) return reasons;
        }
      }
    }
  }
  const thermal = trace.sensors.mcu90640;
  if (thermal.width !== 32 || thermal.height !== 24)
    reasons.push(`mcu90640: frame is ${thermal.width}x${thermal.height}, not 32x24`);
  checkTimes('mcu90640', thermal.t_s, duration, reasons);
  for (let i = 0; i < thermal.pixels_centi.length; i++) {
    const v = thermal.pixels_centi[i] ?? 0;
    if (v < -4000 || v > 30000) {
      reasons.push(
        `mcu90640: pixel ${i % 768} of frame ${Math.floor(i / 768)} is ${v / 100} °C, outside -40..300`,
      );
      break;
    }
  }
  const { labels } = trace;
  const fire = labels.class.kind === 'fire';
  if (fire !== (labels.ignition_s !== null))
    reasons.push(`labels: class ${labels.class.kind} with ignition ${String(labels.ignition_s)}`);
  if (labels.ignition_s !== null && labels.ignition_s > duration)
    reasons.push(`labels: ignition after the end of the run`);
  for (const [name, t] of Object.entries(labels.detectors)) {
    if (t !== null && t > duration + 1e-6)
      reasons.push(`labels: detector ${name} alarms after the end of the run`);
  }
  return reasons.slice(0, MAX_REASONS);
}

/** Validates a run from its stored bytes; an empty list means accepted. */
export function validateRunFiles(
  files: ReadonlyMap<RunFileKind, Uint8Array>,
  expectedSha256?: ReadonlyMap<RunFileKind, string>,
): string[] {
  const reasons: string[] = [];
  for (const [kind, sha] of expectedSha256 ?? []) {
    const bytes = files.get(kind);
    if (bytes !== undefined && sha256(bytes) !== sha)
      reasons.push(`${kind}: checksum does not match what was generated`);
  }
  try {
    reasons.push(...checkTrace(decodeRunFiles(files).trace));
  } catch (error) {
    if (!isEmberError(error)) throw error;
    reasons.push(error.message);
  }
  return reasons;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
