import { DEFAULT_ALARM_POLICY, type AlarmLevel, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { AlarmState } from '../../shared/alarm/alarm-state.js';
import { EmberError } from '../../shared/errors.js';
import { detectionSeries } from '../../shared/detection/detection-front-end.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import type { Reading } from '../../shared/schemas/readings.js';

/** The answer to one window of readings. */
export interface Prediction {
  /** The model's probability at the last step of the window. */
  readonly probability: number;
  readonly maxProbability: number;
  /** The alarm level the edge's state machine stood at after the last step. */
  readonly level: AlarmLevel;
  /** `fire` when the level is high, as a device would raise its alarm. */
  readonly class: 'fire' | 'no-fire';
  readonly modelVersion: string;
  /** Feature steps taken, one per second of the window. */
  readonly steps: number;
  /** The last step's feature vector by name; null where a feature is missing. */
  readonly features: Readonly<Record<string, number | null>>;
}

export interface PredictorOptions {
  /** The model to score with, asked again for every request so a swapped model takes over at once. */
  readonly model: () => FireModel;
  /** The alarm policy for a model; by default its manifest's, or the default policy for the rules. */
  readonly policyOf?: (model: FireModel) => AlarmPolicy;
  /** Shortest window accepted, ms from the first reading to the last; 10 s by default. */
  readonly minSpanMs?: number;
  /** Longest window accepted, ms; one hour by default (every second is a model step). */
  readonly maxSpanMs?: number;
}

export const DEFAULT_MIN_SPAN_MS = 10_000;
export const DEFAULT_MAX_SPAN_MS = 3_600_000;
const STEP_MS = 1000;

/** The alarm policy a model ships with: its manifest's for a trained model, the default for the rules. */
export function modelPolicy(model: FireModel): AlarmPolicy {
  const manifest = (model as Partial<{ manifest: ModelManifest }>).manifest;
  return manifest?.alarm ?? DEFAULT_ALARM_POLICY;
}

function vectorRecord(vector: Float32Array | undefined): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  FEATURE_NAMES.forEach((name, i) => {
    const value = vector?.[i];
    out[name] = value === undefined || Number.isNaN(value) ? null : value;
  });
  return out;
}

/** Throws EMBER_ERR_PREDICT unless the readings are time-ordered and span between the two limits. */
export function checkWindow(readings: readonly Reading[], minSpanMs: number, maxSpanMs: number): void {
  const first = readings[0];
  const last = readings.at(-1);
  if (first === undefined || last === undefined) {
    throw new EmberError('EMBER_ERR_PREDICT', 'readings: at least one reading is needed');
  }
  for (let i = 1; i < readings.length; i++) {
    if ((readings[i]?.ts ?? 0) < (readings[i - 1]?.ts ?? 0)) {
      throw new EmberError(
        'EMBER_ERR_PREDICT',
        `readings.${i}.ts: goes back in time; send readings in order`,
      );
    }
  }
  const span = last.ts - first.ts;
  if (span < minSpanMs) {
    throw new EmberError(
      'EMBER_ERR_PREDICT',
      `readings: the window spans ${span} ms; at least ${minSpanMs} ms are needed`,
    );
  }
  if (span > maxSpanMs) {
    throw new EmberError(
      'EMBER_ERR_PREDICT',
      `readings: the window spans ${span} ms; at most ${maxSpanMs} ms`,
    );
  }
}

/**
 * Scores a window of readings the way a device would have: the edge's
 * feature extractor once a second from the first reading to the last, the
 * model on every step, and the edge's alarm state machine over the steps.
 */
export class Predictor {
  readonly #options: PredictorOptions;

  constructor(options: PredictorOptions) {
    this.#options = options;
  }

  async predict(readings: readonly Reading[]): Promise<Prediction> {
    checkWindow(
      readings,
      this.#options.minSpanMs ?? DEFAULT_MIN_SPAN_MS,
      this.#options.maxSpanMs ?? DEFAULT_MAX_SPAN_MS,
    );
    const startMs = readings[0]?.ts ?? 0;
    const endMs = readings.at(-1)?.ts ?? 0;
    const { ts, vectors, floors, fresh } = detectionSeries(readings, startMs, endMs, STEP_MS);
    const model = this.#options.model();
    const probabilities = await model.predict(vectors);
    const alarm = new AlarmState((this.#options.policyOf ?? modelPolicy)(model));
    let maxProbability = 0;
    ts.forEach((t, i) => {
      const p = probabilities[i] ?? Number.NaN;
      if (p > maxProbability) maxProbability = p;
      alarm.update(t, p, floors[i] ?? 0, fresh[i] === 1);
    });
    const last = probabilities.at(-1) ?? Number.NaN;
    return {
      probability: Number.isFinite(last) ? last : 0,
      maxProbability,
      level: alarm.level,
      class: alarm.level === 'high' ? 'fire' : 'no-fire',
      modelVersion: model.version,
      steps: vectors.length,
      features: vectorRecord(vectors.at(-1)),
    };
  }
}
