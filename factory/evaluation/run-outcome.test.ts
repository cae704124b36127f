import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { RunFeatures } from '../pipeline/run-features.js';
import { evaluateRun, firstAtLeast, scoreRun } from './run-outcome.js';
import { fireLabels, nuisanceLabels, scored, schedule } from './outcome-fixtures.test-helper.js';

describe('scoreRun', () => {
  it('times the heads-up and the alarm from ignition and each detector from ignition', () => {
    const p = schedule(300, [
      [110, 0.7],
      [120, 0.95],
    ]);
    const labels = fireLabels(100, { smoke: 150, rate_of_rise: 130 });
    const o = scoreRun(scored('r1', labels, p), DEFAULT_ALARM_POLICY);
    // The default heads-up waits ten steps, the lowest level three.
    expect(o.firstS).toEqual({ low: 112, medium: 119, high: 122 });
    expect(o.timeToHeadsUpS).toBe(19);
    expect(o.timeToAlarmS).toBe(22);
    expect(o.detectorAfterIgnitionS).toEqual({ smoke: 50, heat_fixed: null, rate_of_rise: 30, co: null });
    expect(o.bestDetectorS).toBe(30);
    expect(o.falseAlarm).toBe(false);
    expect(o.preIgnitionAlarm).toBe(false);
    expect(o.peakProbability).toBeCloseTo(0.95, 6);
    expect(o.changes.map((c) => c.level)).toEqual(['low', 'medium', 'high']);
  });

  it('reports a high before ignition as a pre-ignition false alarm, and the alarm as already on', () => {
    const o = scoreRun(scored('r2', fireLabels(50, {}), schedule(200, [[0, 0.95]])), DEFAULT_ALARM_POLICY);
    expect(o.firstS.high).toBe(2);
    expect(o.preIgnitionAlarm).toBe(true);
    expect(o.falseAlarm).toBe(true);
    expect(o.falseAlarmEvents).toBe(1);
    expect(o.timeToAlarmS).toBe(0);
    expect(o.bestDetectorS).toBeNull();
  });

  it('counts every high on a run without a fire as a false alarm event', () => {
    const p = schedule(200, [
      [10, 0.95],
      [15, 0],
      [100, 0.95],
      [105, 0],
    ]);
    const o = scoreRun(scored('n1', nuisanceLabels('toast'), p), DEFAULT_ALARM_POLICY);
    expect(o.falseAlarm).toBe(true);
    expect(o.falseAlarmEvents).toBe(2);
    expect(o.timeToAlarmS).toBeNull();
    expect(o.ignitionS).toBeNull();
  });

  it('leaves a fire the model never reaches high on as undetected, and clamps an early detector to 0', () => {
    const o = scoreRun(
      scored('r3', fireLabels(100, { smoke: 40 }), schedule(300, [[150, 0.7]])),
      DEFAULT_ALARM_POLICY,
    );
    expect(o.timeToAlarmS).toBeNull();
    expect(o.timeToHeadsUpS).toBe(59);
    expect(o.detectorAfterIgnitionS.smoke).toBe(0);
    expect(o.detectorAlarmS.smoke).toBe(40);
  });
});

describe('firstAtLeast', () => {
  const changes = [
    { ts: 5, from: 'none', level: 'high', probability: 0.9 },
    { ts: 70, from: 'high', level: 'none', probability: 0 },
    { ts: 90, from: 'none', level: 'medium', probability: 0.7 },
  ] as const;
  it('finds the first time at or above a level, from any moment', () => {
    expect(firstAtLeast(changes, 'high')).toBe(5);
    expect(firstAtLeast(changes, 'medium', 20)).toBe(20);
    expect(firstAtLeast(changes, 'medium', 75)).toBe(90);
    expect(firstAtLeast(changes, 'high', 75)).toBeNull();
    expect(firstAtLeast(changes, 'low', 200)).toBe(200);
    expect(firstAtLeast([], 'low')).toBeNull();
  });
});

describe('evaluateRun', () => {
  it('scores the run with one batch of the model over its vectors', async () => {
    const calls: number[] = [];
    const model: FireModel = {
      version: 'first-feature',
      featureNames: ['x'],
      predict: (vectors) => {
        calls.push(vectors.length);
        return Promise.resolve(Float32Array.from(vectors, (v) => v[0] ?? 0));
      },
      close: () => Promise.resolve(),
    };
    const t = Float64Array.from({ length: 60 }, (_, i) => i);
    const features: Pick<RunFeatures, 'runId' | 'labels' | 'durationS' | 't' | 'vectors'> = {
      runId: 'f1',
      labels: fireLabels(10, {}),
      durationS: 59,
      t,
      vectors: Array.from(t, (s) => Float32Array.of(s >= 20 ? 0.9 : 0)),
    };
    const o = await evaluateRun(features, model, DEFAULT_ALARM_POLICY);
    expect(calls).toEqual([60]);
    expect(o.timeToAlarmS).toBe(12);
    expect(o.probabilities).toHaveLength(60);
  });
});
