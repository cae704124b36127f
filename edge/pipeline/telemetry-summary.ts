import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { CHANNELS, FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { TelemetryRecord } from '../../shared/schemas/messages.js';

const LEVEL_COLUMNS = CHANNELS.map((c) => [c.name, FEATURE_NAMES.indexOf(`${c.name}_level`)] as const);

/** Gathers the steps of one telemetry interval into one summary record. */
export class TelemetrySummary {
  #steps = 0;
  #maxProbability = 0;
  #levels: Record<string, number | null> = {};

  add(probability: number, vector: Float32Array): void {
    this.#steps++;
    this.#maxProbability = Math.max(this.#maxProbability, probability);
    const levels: Record<string, number | null> = {};
    for (const [name, column] of LEVEL_COLUMNS) {
      const value = vector[column];
      levels[name] = value === undefined || Number.isNaN(value) ? null : value;
    }
    this.#levels = levels;
  }

  /** The record of the interval so far, and a fresh start; undefined when no step was taken. */
  take(ts: number, level: AlarmLevel): TelemetryRecord | undefined {
    if (this.#steps === 0) return undefined;
    const record: TelemetryRecord = {
      ts,
      probability: this.#maxProbability,
      level,
      levels: this.#levels,
      steps: this.#steps,
    };
    this.#steps = 0;
    this.#maxProbability = 0;
    this.#levels = {};
    return record;
  }
}

/** Feature vector as JSON: NaN becomes null. */
export function featureRecord(vector: Float32Array): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  FEATURE_NAMES.forEach((name, i) => {
    const value = vector[i];
    out[name] = value === undefined || Number.isNaN(value) ? null : value;
  });
  return out;
}
