import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY, AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { Incident } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import {
  falseAlarmPattern,
  planFor,
  raiseThresholds,
  secondsToHigh,
  type PastFalseAlarm,
} from './decision-rules.js';
import { incidentOf, OPENED, windowOf } from './learning-fixtures.test-helper.js';
import { DEFAULT_LEARNING_RULES, type IncidentWindow, type OutcomeInput } from './learning-types.js';

function plan(outcome: Outcome, incident: Incident, window: IncidentWindow, past: PastFalseAlarm[] = []) {
  const input: OutcomeInput = { incident, outcome, by: 'ops', window };
  return planFor(input, {
    policy: DEFAULT_ALARM_POLICY,
    pastFalseAlarms: past,
    now: OPENED,
    rules: DEFAULT_LEARNING_RULES,
  });
}

describe('learning decision rules', () => {
  it('leaves a fire detected at high in time alone, and says when', () => {
    const result = plan(
      'fire',
      incidentOf('gw-1', 'high'),
      windowOf([
        [0, 'low'],
        [42, 'high'],
      ]),
    );
    expect(result).toMatchObject({
      action: 'none',
      explanation: 'Detected at high 42 s after opening; no change.',
    });
    expect(secondsToHigh(incidentOf('gw-1', 'high'), windowOf([[5, 'medium']]))).toBeNull();
  });

  it('retrains after a fire raised late or missed', () => {
    const late = plan(
      'fire',
      incidentOf('gw-1', 'high'),
      windowOf([
        [0, 'low'],
        [300, 'high'],
      ]),
    );
    expect(late).toMatchObject({
      action: 'retrain',
      reason: 'real fire on gw-1 raised to high only after 300 s',
    });
    expect(late.explanation).toMatch(/^Detected at high 300 s after opening, later than the 120 s allowed\./);
    const missed = plan(
      'fire',
      incidentOf('gw-1', 'medium'),
      windowOf([
        [0, 'low'],
        [60, 'medium'],
      ]),
    );
    expect(missed).toMatchObject({ action: 'retrain', details: { maxLevel: 'medium', secondsToHigh: null } });
    expect(missed.explanation).toMatch(/reached only medium, never high/);
  });

  it('does nothing for tests and unknown outcomes', () => {
    expect(plan('test', incidentOf('gw-1', 'high'), windowOf([[0, 'high']])).action).toBe('none');
    expect(plan('unknown', incidentOf('gw-1', 'high'), windowOf([[0, 'high']])).action).toBe('none');
  });

  it('raises one device thresholds a notch after a false alarm', () => {
    const result = plan(
      'false-alarm',
      incidentOf('gw-2', 'medium'),
      windowOf([
        [0, 'low'],
        [20, 'medium'],
      ]),
    );
    expect(result.action).toBe('adjust-rules');
    if (result.action !== 'adjust-rules') return;
    expect([
      result.policy.low.threshold,
      result.policy.medium.threshold,
      result.policy.high.threshold,
    ]).toEqual([0.35, 0.65, 0.9]);
    expect(AlarmPolicy.safeParse(result.policy).success).toBe(true);
    expect(result.explanation).toBe(
      'False alarm on gw-2 (reached medium): its alarm thresholds go up a notch from 0.3/0.6/0.85 to 0.35/0.65/0.9.',
    );
  });

  it('retrains when the same false-alarm pattern shows on several devices', () => {
    const window = windowOf([[0, 'medium']]);
    const pattern = falseAlarmPattern(window);
    expect(pattern).toBe('co_dev+pm25_dev+temp_dev');
    const past = [
      { deviceId: 'gw-3', ts: OPENED - 3_600_000, pattern },
      { deviceId: 'gw-4', ts: OPENED - 7_200_000, pattern },
      { deviceId: 'gw-5', ts: OPENED - 3_600_000, pattern: 'other' },
    ];
    const result = plan('false-alarm', incidentOf('gw-2', 'medium'), window, past);
    expect(result).toMatchObject({
      action: 'retrain',
      details: { devicesWithPattern: ['gw-2', 'gw-3', 'gw-4'] },
    });
    expect(result.explanation).toMatch(/same pattern \(co_dev, pm25_dev, temp_dev\) on 3 devices/);
    const old = past.map((p) => ({ ...p, ts: OPENED - 30 * 24 * 3_600_000 }));
    expect(plan('false-alarm', incidentOf('gw-2', 'medium'), window, old).action).toBe('adjust-rules');
  });

  it('raises the sustained high rule with the others, never above high', () => {
    const max = DEFAULT_LEARNING_RULES.maxThresholds;
    let policy: AlarmPolicy = { ...DEFAULT_ALARM_POLICY, sustainedHigh: { threshold: 0.7, raiseAfter: 60 } };
    policy = raiseThresholds(policy, 0.05, max) ?? policy;
    expect(policy.sustainedHigh).toEqual({ threshold: 0.75, raiseAfter: 60 });
    for (let i = 0; i < 20; i++) policy = raiseThresholds(policy, 0.05, max) ?? policy;
    expect(policy.sustainedHigh?.threshold).toBe(policy.high.threshold);
    expect(raiseThresholds(policy, 0.05, max)).toBeUndefined();
  });

  it('clamps thresholds at their maxima, keeps them ordered, and never lowers one', () => {
    const max = DEFAULT_LEARNING_RULES.maxThresholds;
    let policy: AlarmPolicy = DEFAULT_ALARM_POLICY;
    for (let i = 0; i < 20; i++) policy = raiseThresholds(policy, 0.05, max) ?? policy;
    expect([policy.low.threshold, policy.medium.threshold, policy.high.threshold]).toEqual([0.6, 0.8, 0.95]);
    expect(raiseThresholds(policy, 0.05, max)).toBeUndefined();
    const above = { ...DEFAULT_ALARM_POLICY, high: { ...DEFAULT_ALARM_POLICY.high, threshold: 0.99 } };
    expect(raiseThresholds(above, 0.05, max)?.high.threshold).toBe(0.99);
    const crowded = {
      ...DEFAULT_ALARM_POLICY,
      low: { ...DEFAULT_ALARM_POLICY.low, threshold: 0.58 },
      medium: { ...DEFAULT_ALARM_POLICY.medium, threshold: 0.6 },
    };
    const raised = raiseThresholds(crowded, 0.05, max);
    expect(raised?.low.threshold).toBe(0.6);
    expect(raised?.medium.threshold).toBe(0.65);
  });

  it('says so when a false alarm finds the thresholds already at their maxima', () => {
    const max = DEFAULT_LEARNING_RULES.maxThresholds;
    const top = {
      ...DEFAULT_ALARM_POLICY,
      low: { ...DEFAULT_ALARM_POLICY.low, threshold: max.low },
      medium: { ...DEFAULT_ALARM_POLICY.medium, threshold: max.medium },
      high: { ...DEFAULT_ALARM_POLICY.high, threshold: max.high },
    };
    const input: OutcomeInput = {
      incident: incidentOf('gw-9', 'low'),
      outcome: 'false-alarm',
      by: 'ops',
      window: windowOf([[0, 'low']]),
    };
    const result = planFor(input, {
      policy: top,
      pastFalseAlarms: [],
      now: OPENED,
      rules: DEFAULT_LEARNING_RULES,
    });
    expect(result.action).toBe('none');
    expect(result.explanation).toMatch(/already at their maxima \(0.6\/0.8\/0.95\)/);
  });
});
