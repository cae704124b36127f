import { AlarmState, type AlarmChange } from '../../shared/alarm/alarm-state.js';
import { levelRank, type AlarmLevel, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { RunClass, RunLabels } from '../../shared/dataset/run-labels.js';
import type { RunFeatures } from '../pipeline/run-features.js';

/** The conventional detectors of the labels, by the names the evaluation summary uses. */
export const DETECTORS = ['smoke', 'heat_fixed', 'rate_of_rise', 'co'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Seconds, or null when the event never happened. */
export type Seconds = number | null;

/** How the model did on one run, beside the conventional detectors on the same run. */
export interface RunOutcome {
  readonly runId: string;
  readonly class: RunClass;
  readonly durationS: number;
  /** Seconds from the run's start; null on a run without a fire. */
  readonly ignitionS: Seconds;
  /** First time the level stood at or above each level, seconds from the run's start. */
  readonly firstS: Readonly<Record<Exclude<AlarmLevel, 'none'>, Seconds>>;
  /** Every change of alarm level, as the edge would publish it. */
  readonly changes: readonly AlarmChange[];
  /** A high on a run without a fire, or before the ignition of a fire run. */
  readonly falseAlarm: boolean;
  /** Fire runs only: the model was at high before the fire started. */
  readonly preIgnitionAlarm: boolean;
  /** Raises to high that were false alarms (every one on a run without a fire; before ignition on a fire run). */
  readonly falseAlarmEvents: number;
  /** Fire runs: seconds from ignition until the level is high (0 when it already was); else null. */
  readonly timeToAlarmS: Seconds;
  /** Fire runs: seconds from ignition until the level is medium or high. */
  readonly timeToHeadsUpS: Seconds;
  /** Each detector's alarm, seconds from the run's start, as labelled. */
  readonly detectorAlarmS: Readonly<Record<DetectorName, Seconds>>;
  /**
   * Fire runs: each detector's alarm in seconds after ignition. A detector
   * that went off before ignition (a nuisance in the same run) counts as 0:
   * conservative for the model, which must beat it.
   */
  readonly detectorAfterIgnitionS: Readonly<Record<DetectorName, Seconds>>;
  /** Fire runs: the earliest detector after ignition. */
  readonly bestDetectorS: Seconds;
  readonly peakProbability: number;
  /** Seconds from the run's start, and the model's probability at each step. */
  readonly t: Float64Array;
  readonly probabilities: Float32Array;
}

/** What one run's scoring starts from: the labels and the model's probability at each step. */
export interface ScoredRun {
  readonly runId: string;
  readonly labels: RunLabels;
  readonly durationS: number;
  readonly t: Float64Array;
  readonly probabilities: Float32Array;
  /** The floors standing at each step; none when absent. */
  readonly floors?: ArrayLike<number>;
  /** 1 where a new reading arrived for the step; every step when absent. */
  readonly fresh?: ArrayLike<number>;
}

/** Steps the edge's alarm state machine through the probabilities and floors and returns every change. */
export function alarmChanges(
  t: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  policy: AlarmPolicy,
  floors?: ArrayLike<number>,
  fresh?: ArrayLike<number>,
): AlarmChange[] {
  const state = new AlarmState(policy);
  const changes: AlarmChange[] = [];
  for (let i = 0; i < t.length; i++) {
    const change = state.update(
      t[i] ?? Number.NaN,
      probabilities[i] ?? Number.NaN,
      floors?.[i] ?? 0,
      (fresh?.[i] ?? 1) === 1,
    );
    if (change !== undefined) changes.push(change);
  }
  return changes;
}

/** First time at or after `from` that the level, as set by `changes`, stood at or above `level`. */
export function firstAtLeast(changes: readonly AlarmChange[], level: AlarmLevel, from = -Infinity): Seconds {
  const rank = levelRank(level);
  let current: AlarmLevel = 'none';
  for (const change of changes) {
    if (change.ts > from && levelRank(current) >= rank) return from;
    if (change.ts >= from && levelRank(change.level) >= rank) return change.ts;
    current = change.level;
  }
  return Number.isFinite(from) && levelRank(current) >= rank ? from : null;
}

function detectorTimes(labels: RunLabels): Record<DetectorName, Seconds> {
  const d = labels.detectors;
  return { smoke: d.smoke_s, heat_fixed: d.heat_fixed_s, rate_of_rise: d.rate_of_rise_s, co: d.co_s };
}

const after = (s: Seconds, ignition: Seconds): Seconds =>
  s === null || ignition === null ? null : Math.max(0, s - ignition);

/** Scores one run from the model's probabilities: pure, so metrics can be tested with hand-made runs. */
export function scoreRun(run: ScoredRun, policy: AlarmPolicy): RunOutcome {
  const changes = alarmChanges(run.t, run.probabilities, policy, run.floors, run.fresh);
  const ignition = run.labels.class.kind === 'fire' ? run.labels.ignition_s : null;
  const raisesToHigh = changes.filter((c) => c.level === 'high');
  const falseAlarmEvents =
    ignition === null ? raisesToHigh.length : raisesToHigh.filter((c) => c.ts < ignition).length;
  const detectorAlarmS = detectorTimes(run.labels);
  const detectorAfterIgnitionS = {
    smoke: after(detectorAlarmS.smoke, ignition),
    heat_fixed: after(detectorAlarmS.heat_fixed, ignition),
    rate_of_rise: after(detectorAlarmS.rate_of_rise, ignition),
    co: after(detectorAlarmS.co, ignition),
  };
  const known = Object.values(detectorAfterIgnitionS).filter((s): s is number => s !== null);
  const sinceIgnition = (level: AlarmLevel): Seconds => {
    if (ignition === null) return null;
    const at = firstAtLeast(changes, level, ignition);
    return at === null ? null : at - ignition;
  };
  let peak = 0;
  for (const p of run.probabilities) if (p > peak) peak = p;
  return {
    runId: run.runId,
    class: run.labels.class,
    durationS: run.durationS,
    ignitionS: ignition,
    firstS: {
      low: firstAtLeast(changes, 'low'),
      medium: firstAtLeast(changes, 'medium'),
      high: firstAtLeast(changes, 'high'),
    },
    changes,
    falseAlarm: falseAlarmEvents > 0,
    preIgnitionAlarm: ignition !== null && falseAlarmEvents > 0,
    falseAlarmEvents,
    timeToAlarmS: sinceIgnition('high'),
    timeToHeadsUpS: sinceIgnition('medium'),
    detectorAlarmS,
    detectorAfterIgnitionS,
    bestDetectorS: known.length === 0 ? null : Math.min(...known),
    peakProbability: peak,
    t: run.t,
    probabilities: run.probabilities,
  };
}

/**
 * Scores one run exactly as the edge would have seen it: the run's feature
 * vectors (one a second, from the shared extractor) through the model, then
 * the edge's alarm state machine stepped once a second. The model is a pure
 * function of each vector, so one batch per run gives the same probabilities
 * as one call a second.
 */
export async function evaluateRun(
  features: Pick<RunFeatures, 'runId' | 'labels' | 'durationS' | 't' | 'vectors'> &
    Partial<Pick<RunFeatures, 'floors' | 'fresh'>>,
  model: FireModel,
  policy: AlarmPolicy,
): Promise<RunOutcome> {
  const probabilities = await model.predict(features.vectors);
  return scoreRun(
    {
      runId: features.runId,
      labels: features.labels,
      durationS: features.durationS,
      t: features.t,
      probabilities,
      ...(features.floors === undefined ? {} : { floors: features.floors }),
      ...(features.fresh === undefined ? {} : { fresh: features.fresh }),
    },
    policy,
  );
}
