import { detectionSeries } from '../../shared/detection/detection-front-end.js';
import type { RunLabels } from '../../shared/dataset/run-labels.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { traceReadingStream } from './trace-readings.js';

/** What training needs of a run: its class, its ignition and its vectors, one per second. */
export interface FeatureRun {
  readonly runId: string;
  readonly classKind: 'fire' | 'nuisance' | 'normal';
  /** Seconds from the run's start; null without a fire. */
  readonly ignitionS: number | null;
  /** Seconds from the run's start. */
  readonly t: Float64Array;
  readonly vectors: Float32Array[];
  /**
   * 1 from the moment the fire shows at the sensor on (the label's
   * observable_s, or ignition for runs labelled before it), else 0. Steps of
   * a fire run between ignition and then are 0 here and left out of training.
   */
  readonly fire: Uint8Array;
}

/** A run's features with its full labels, as computed from the dataset. */
export interface RunFeatures extends FeatureRun {
  readonly labels: RunLabels;
  readonly durationS: number;
  /** The floors standing at each step (a mask of FLOORS). */
  readonly floors: Uint8Array;
  /** 1 where a reading arrived for the step. */
  readonly fresh: Uint8Array;
}

/** Features of a run through the same extractor the edge runs, at the same 1 s step. */
export function runFeatures(runId: string, trace: RunTrace): RunFeatures {
  const durationMs = Math.round(trace.duration_s * 1000);
  const {
    ts,
    vectors,
    floors,
    fresh: freshSteps,
  } = detectionSeries(traceReadingStream(trace), 0, durationMs, 1000);
  const ignition = trace.labels.ignition_s;
  const t = Float64Array.from(ts, (ms) => ms / 1000);
  const shows = trace.labels.observable_s === undefined ? ignition : trace.labels.observable_s;
  const fire = Uint8Array.from(t, (s) => (shows !== null && s >= shows ? 1 : 0));
  return {
    runId,
    classKind: trace.labels.class.kind,
    ignitionS: ignition,
    labels: trace.labels,
    durationS: trace.duration_s,
    t,
    vectors,
    fire,
    floors,
    fresh: freshSteps,
  };
}
