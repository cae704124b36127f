import { FeatureExtractor } from '../features/feature-extractor.js';
import type { Reading } from '../schemas/readings.js';
import { FloorMonitor, type FloorMask } from './floor-monitor.js';

/** The value columns of a recording (replay CSV), after its `t_s`. */
export const RECORDING_COLUMNS = [
  'temp_c',
  'humidity_pct',
  'co_ppm',
  'co2_ppm',
  'pm25_ugm3',
  'pm10_ugm3',
] as const;
export type RecordingColumn = (typeof RECORDING_COLUMNS)[number];

/** One step of a device's detection: the model's input and the floors standing. */
export interface DetectionStep {
  readonly vector: Float32Array;
  readonly floors: FloorMask;
  /** Whether a reading arrived since the step before (the alarm's verification counts these). */
  readonly fresh: boolean;
}

/**
 * Everything before the model, once for the edge, replay and evaluation:
 * readings go through the feature extractor (which drops implausible ones)
 * and, at each step, the floors read the same plausible channels. The model
 * and the alarm state machine take it from there.
 */
export class DetectionFrontEnd {
  readonly #extractor = new FeatureExtractor();
  readonly #floors = new FloorMonitor();
  #pushed = false;

  /** Takes one reading; false when it was physically implausible (its channels then count as missing). */
  push(reading: Reading): boolean {
    this.#pushed = true;
    return this.#extractor.push(reading);
  }

  /**
   * The newest plausible value of each channel a recording keeps (the
   * replay CSV's columns), NaN where missing: what an incident recording
   * writes down each step.
   */
  recordingValues(nowMs: number): Record<RecordingColumn, number> {
    const raw = (channel: string): number => this.#extractor.raw(channel, nowMs);
    return {
      temp_c: raw('temp'),
      humidity_pct: raw('humidity'),
      co_ppm: raw('co'),
      co2_ppm: raw('co2'),
      pm25_ugm3: raw('pm25'),
      pm10_ugm3: raw('pm10'),
    };
  }

  /** One step at `nowMs`: the feature vector and the floors. */
  step(nowMs: number): DetectionStep {
    const floors = this.#floors.step(nowMs / 1000, {
      tempC: this.#extractor.raw('temp', nowMs),
      coPpm: this.#extractor.raw('co', nowMs),
      flamePixels: this.#extractor.flamePixels(nowMs),
    });
    const fresh = this.#pushed;
    this.#pushed = false;
    return { vector: this.#extractor.step(nowMs), floors, fresh };
  }
}

/** A run's steps: times (ms), feature vectors and the floors standing at each. */
export interface DetectionSeries {
  readonly ts: number[];
  readonly vectors: Float32Array[];
  readonly floors: Uint8Array;
  /** 1 where a reading arrived for the step. */
  readonly fresh: Uint8Array;
}

/**
 * Offline driver: interleaves time-ordered readings (an array, or a stream
 * made as it is read) with one step per `stepMs`, exactly as the edge's
 * clock does, and returns every step.
 */
export function detectionSeries(
  readings: Iterable<Reading>,
  startMs: number,
  endMs: number,
  stepMs = 1000,
): DetectionSeries {
  const frontEnd = new DetectionFrontEnd();
  const ts: number[] = [];
  const vectors: Float32Array[] = [];
  const floors: number[] = [];
  const fresh: number[] = [];
  // Pulled one at a time, so a caller can make readings as they are taken.
  const source = readings[Symbol.iterator]();
  let pending = source.next();
  for (let now = startMs; now <= endMs; now += stepMs) {
    while (pending.done !== true && pending.value.ts <= now) {
      frontEnd.push(pending.value);
      pending = source.next();
    }
    const step = frontEnd.step(now);
    ts.push(now);
    vectors.push(step.vector);
    floors.push(step.floors);
    fresh.push(step.fresh ? 1 : 0);
  }
  return { ts, vectors, floors: Uint8Array.from(floors), fresh: Uint8Array.from(fresh) };
}
