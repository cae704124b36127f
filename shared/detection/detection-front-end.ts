import { FeatureExtractor } from '../features/feature-extractor.js';
import type { Reading } from '../schemas/readings.js';
import { FloorMonitor, type FloorMask } from './floor-monitor.js';

/** One step of a device's detection: the model's input and the floors standing. */
export interface DetectionStep {
  readonly vector: Float32Array;
  readonly floors: FloorMask;
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

  /** Takes one reading; false when it was physically implausible (its channels then count as missing). */
  push(reading: Reading): boolean {
    return this.#extractor.push(reading);
  }

  /** One step at `nowMs`: the feature vector and the floors. */
  step(nowMs: number): DetectionStep {
    const floors = this.#floors.step(nowMs / 1000, {
      tempC: this.#extractor.raw('temp', nowMs),
      coPpm: this.#extractor.raw('co', nowMs),
      flamePixels: this.#extractor.flamePixels(nowMs),
    });
    return { vector: this.#extractor.step(nowMs), floors };
  }
}

/** A run's steps: times (ms), feature vectors and the floors standing at each. */
export interface DetectionSeries {
  readonly ts: number[];
  readonly vectors: Float32Array[];
  readonly floors: Uint8Array;
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
  }
  return { ts, vectors, floors: Uint8Array.from(floors) };
}
