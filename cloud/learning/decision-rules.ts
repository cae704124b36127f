import { levelRank, type AlarmLevel, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { Incident } from '../contracts/cloud-values.js';
import type { IncidentWindow, LearningRules, OutcomeInput } from './learning-types.js';

/** A false alarm on record, to spot the same pattern on several devices. */
export interface PastFalseAlarm {
  readonly deviceId: string;
  readonly ts: number;
  readonly pattern: string;
}

export type Plan =
  | { readonly action: 'none'; readonly explanation: string; readonly details: Record<string, unknown> }
  | {
      readonly action: 'adjust-rules';
      readonly policy: AlarmPolicy;
      readonly explanation: string;
      readonly details: Record<string, unknown>;
    }
  | {
      readonly action: 'retrain';
      readonly reason: string;
      readonly explanation: string;
      readonly details: Record<string, unknown>;
    };

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** The highest level of the incident or any assessment in its window. */
export function maxLevel(incident: Incident, window: IncidentWindow): AlarmLevel {
  return window.assessments.reduce<AlarmLevel>(
    (top, a) => (levelRank(a.level) > levelRank(top) ? a.level : top),
    incident.level,
  );
}

/** Seconds from the incident's opening to its first assessment at high, or null if it never got there. */
export function secondsToHigh(incident: Incident, window: IncidentWindow): number | null {
  const first = window.assessments.find((a) => a.level === 'high');
  return first === undefined ? null : Math.max(0, Math.round((first.ts - incident.openedAt) / 1000));
}

/**
 * What a false alarm looked like: the three features furthest from zero at
 * its most probable moment (features are deviations from a baseline), in
 * name order, e.g. `co_dev+pm25_dev+temp_dev`. Empty without features.
 */
export function falseAlarmPattern(window: IncidentWindow): string {
  const peak = window.assessments.reduce<IncidentWindow['assessments'][number] | undefined>(
    (best, a) => (best === undefined || a.probability > best.probability ? a : best),
    undefined,
  );
  if (peak === undefined) return '';
  return Object.entries(peak.features)
    .filter((e): e is [string, number] => e[1] !== null && Number.isFinite(e[1]))
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([name]) => name)
    .sort()
    .join('+');
}

/**
 * The policy one notch less sensitive: every threshold raised by `notch`,
 * each capped at its maximum and never below the level beneath it. Undefined
 * when every threshold is already at its maximum.
 */
export function raiseThresholds(
  policy: AlarmPolicy,
  notch: number,
  max: LearningRules['maxThresholds'],
): AlarmPolicy | undefined {
  const raise = (value: number, cap: number): number =>
    value >= cap ? value : round(Math.min(cap, value + notch), 4);
  const low = raise(policy.low.threshold, max.low);
  const medium = Math.max(low, raise(policy.medium.threshold, max.medium));
  const high = Math.max(medium, raise(policy.high.threshold, max.high));
  const held = policy.sustainedHigh;
  // The sustained rule moves with the others, and never above high.
  const sustained =
    held === undefined ? undefined : Math.max(medium, Math.min(high, raise(held.threshold, max.high)));
  if (
    low === policy.low.threshold &&
    medium === policy.medium.threshold &&
    high === policy.high.threshold &&
    sustained === held?.threshold
  ) {
    return undefined;
  }
  return {
    ...policy,
    low: { ...policy.low, threshold: low },
    medium: { ...policy.medium, threshold: medium },
    high: { ...policy.high, threshold: high },
    ...(held === undefined || sustained === undefined
      ? {}
      : { sustainedHigh: { ...held, threshold: sustained } }),
  };
}

const thresholds = (p: AlarmPolicy): string =>
  `${p.low.threshold}/${p.medium.threshold}/${p.high.threshold}` +
  (p.sustainedHigh === undefined ? '' : ` (sustained ${p.sustainedHigh.threshold})`);

/**
 * The learning agent's rules, pure: what to do about one outcome, and why
 * in one or two sentences an operator reads on the dashboard.
 */
export function planFor(
  input: OutcomeInput,
  context: {
    readonly policy: AlarmPolicy;
    readonly pastFalseAlarms: readonly PastFalseAlarm[];
    readonly now: number;
    readonly rules: LearningRules;
  },
): Plan {
  const { incident, outcome, window } = input;
  const { rules } = context;
  const top = maxLevel(incident, window);
  const toHigh = secondsToHigh(incident, window);
  const base = { deviceId: incident.deviceId, maxLevel: top, secondsToHigh: toHigh };
  if (outcome === 'test') {
    return { action: 'none', explanation: 'A test alarm; no change.', details: base };
  }
  if (outcome === 'unknown') {
    return {
      action: 'none',
      explanation: 'The outcome is unknown, so nothing is learned from it.',
      details: base,
    };
  }
  if (outcome === 'fire') {
    if (toHigh === null) {
      const reason = `real fire on ${incident.deviceId} reached only ${top}`;
      return {
        action: 'retrain',
        reason,
        explanation: `The device missed a real fire: it reached only ${top}, never high. The labelled window joins the training data and the model is retrained.`,
        details: base,
      };
    }
    if (toHigh > rules.lateAlarmS) {
      const reason = `real fire on ${incident.deviceId} raised to high only after ${toHigh} s`;
      return {
        action: 'retrain',
        reason,
        explanation: `Detected at high ${toHigh} s after opening, later than the ${rules.lateAlarmS} s allowed. The labelled window joins the training data and the model is retrained.`,
        details: base,
      };
    }
    return {
      action: 'none',
      explanation: `Detected at high ${toHigh} s after opening; no change.`,
      details: base,
    };
  }
  // A false alarm.
  const pattern = falseAlarmPattern(window);
  const since = context.now - rules.repeatWindowH * 3_600_000;
  const devices = new Set(
    context.pastFalseAlarms
      .filter((f) => pattern !== '' && f.pattern === pattern && f.ts >= since)
      .map((f) => f.deviceId),
  );
  devices.add(incident.deviceId);
  const details = { ...base, pattern, devicesWithPattern: [...devices].sort() };
  if (pattern !== '' && devices.size >= rules.repeatDevices) {
    const reason = `false alarms with pattern ${pattern} on ${devices.size} devices`;
    return {
      action: 'retrain',
      reason,
      explanation: `False alarms with the same pattern (${pattern.replaceAll('+', ', ')}) on ${devices.size} devices within ${rules.repeatWindowH} h point at the model, not one device. The labelled window joins the training data and the model is retrained.`,
      details,
    };
  }
  const raised = raiseThresholds(context.policy, rules.notch, rules.maxThresholds);
  if (raised === undefined) {
    return {
      action: 'none',
      explanation: `False alarm on ${incident.deviceId}, whose thresholds are already at their maxima (${thresholds(context.policy)}); no change, check where the device is placed.`,
      details,
    };
  }
  return {
    action: 'adjust-rules',
    policy: raised,
    explanation: `False alarm on ${incident.deviceId} (reached ${top}): its alarm thresholds go up a notch from ${thresholds(context.policy)} to ${thresholds(raised)}.`,
    details: { ...details, from: context.policy, to: raised },
  };
}
