import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { EvaluationSummary } from '../registry/evaluation-summary.js';
import { evaluateGate } from '../registry/gate.js';
import { evaluationFigures } from './evaluation-figures.js';
import { evaluationTable } from './evaluation-table.js';
import {
  fireLabels,
  normalLabels,
  nuisanceLabels,
  scored,
  schedule,
} from './outcome-fixtures.test-helper.js';
import { scoreRun, type RunOutcome } from './run-outcome.js';
import { summarise } from './summarise.js';

const policy = DEFAULT_ALARM_POLICY;
/** A fire igniting at 100 s on which the model's p jumps to 0.95 at `highFrom` (high 2 s later). */
const fire = (
  id: string,
  highFrom: number | null,
  d: Parameters<typeof fireLabels>[1],
  cls?: 'tf1-open-wood',
) =>
  scoreRun(
    scored(id, fireLabels(100, d, cls), schedule(600, highFrom === null ? [] : [[highFrom, 0.95]])),
    policy,
  );

const OUTCOMES: RunOutcome[] = [
  fire('f1', 108, { smoke: 130 }), // model 10 s, smoke 30 s
  fire('f2', 118, { smoke: 160, heat_fixed: 140 }), // model 20 s, best 40 s (heat)
  fire('f3', 138, {}), // model 40 s, no detector
  fire('f4', null, { rate_of_rise: 200 }), // missed, detector 100 s
  fire('w1', 128, { smoke: 190 }, 'tf1-open-wood'), // model 30 s, smoke 90 s
  scoreRun(
    scored(
      'n1',
      nuisanceLabels('toast', { smoke: 50 }),
      schedule(3600, [
        [10, 0.95],
        [20, 0],
      ]),
    ),
    policy,
  ),
  scoreRun(
    scored(
      'n2',
      nuisanceLabels('frying'),
      schedule(3600, [
        [10, 0.7],
        [40, 0],
      ]),
    ),
    policy,
  ),
  scoreRun(scored('n3', nuisanceLabels('frying'), schedule(3600, [])), policy),
  scoreRun(scored('q1', normalLabels(), schedule(600, [])), policy),
];

describe('summarise', () => {
  const summary = summarise(OUTCOMES, {
    modelVersion: 'm1',
    heldOutSeeds: 'seeds 9000-9099',
    evaluatedAt: new Date('2025-05-01T00:00:00Z'),
  });

  it('passes the registry schema as it is', () => {
    expect(EvaluationSummary.parse(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    expect(summary.modelVersion).toBe('m1');
    expect(summary.evaluatedAt).toBe('2025-05-01T00:00:00.000Z');
  });

  it('counts fire detections and takes median and p90 over the detected runs', () => {
    expect(summary.fire).toEqual({
      runs: 5,
      detected: 4,
      detectionRate: 0.8,
      medianTimeToAlarmS: 25,
      p90TimeToAlarmS: 37,
      medianTimeToHeadsUpS: 25,
    });
  });

  it('gives each detector and the best of them per run', () => {
    expect(summary.baseline.smoke).toEqual({ detectionRate: 0.6, medianTimeToAlarmS: 60 });
    expect(summary.baseline.heat_fixed).toEqual({ detectionRate: 0.2, medianTimeToAlarmS: 40 });
    expect(summary.baseline.co).toEqual({ detectionRate: 0, medianTimeToAlarmS: null });
    // best per run: f1 30, f2 40, f4 100, w1 90
    expect(summary.baseline.best).toEqual({ detectionRate: 0.8, medianTimeToAlarmS: 65 });
  });

  it('compares with the best baseline only where both alarmed', () => {
    const { fire: figures } = evaluationFigures(OUTCOMES);
    // f1, f2, w1: model 10, 20, 30; best 30, 40, 90
    expect(figures.paired).toEqual({ runs: 3, modelMedianS: 20, baselineMedianS: 40, ratio: 0.5 });
    expect(summary.speedupVsBestBaseline).toBe(2);
    expect(figures.modelOnlyRuns).toBe(1);
    expect(figures.baselineOnlyRuns).toBe(1);
  });

  it('gives the gate the same runs as the speed-up, so its ratio is the speed-up inverted', () => {
    expect(summary.paired).toEqual({ runs: 3, modelMedianTimeToAlarmS: 20, baselineMedianTimeToAlarmS: 40 });
    // Over all their own detections the medians differ (model 20, best 65): not what the gate compares.
    const speed = evaluateGate(summary).checks.find((c) => c.criterion === 'maxTimeToAlarmRatioVsBaseline');
    expect(speed?.measured).toBeCloseTo(1 / (summary.speedupVsBestBaseline ?? Number.NaN), 12);
    expect(speed?.reason).toContain('= 0.50 × best baseline 40.0 s (speed-up 2.00 ×) on the 3 fire runs');
  });

  it('splits fires by class', () => {
    expect(Object.keys(summary.perClass)).toEqual(['tf1-open-wood', 'tf4-flaming-pu']);
    expect(summary.perClass['tf1-open-wood']).toEqual({
      runs: 1,
      detected: 1,
      medianTimeToAlarmS: 30,
      baselineMedianTimeToAlarmS: 90,
    });
    expect(summary.perClass['tf4-flaming-pu']?.detected).toBe(3);
  });

  it('counts false alarms, heads-ups and false alarms per hour on runs without a fire', () => {
    expect(summary.nuisance).toEqual({
      runs: 3,
      falseAlarmRuns: 1,
      headsUpRuns: 1,
      falseAlarmsPerHour: 1 / 3,
    });
    expect(summary.normal).toEqual({ runs: 1, falseAlarmRuns: 0 });
    const figures = evaluationFigures(OUTCOMES);
    expect(figures.nuisance.detectorAlarmRuns).toBe(1);
    expect(figures.perNuisance['frying']?.runs).toBe(2);
  });

  it('gives nulls, not zeros or NaN, when no fire was evaluated or detected', () => {
    const none = summarise(OUTCOMES.slice(5), { modelVersion: 'm', heldOutSeeds: 's' });
    expect(none.fire.runs).toBe(0);
    expect(none.fire.detectionRate).toBe(0);
    expect(none.fire.medianTimeToAlarmS).toBeNull();
    expect(none.baseline.best.medianTimeToAlarmS).toBeNull();
    expect(none.speedupVsBestBaseline).toBeNull();
    expect(none.perClass).toEqual({});
  });

  it('prints every fire class and nuisance kind in the table', () => {
    const table = evaluationTable('m1', evaluationFigures(OUTCOMES));
    for (const name of ['tf1-open-wood', 'tf4-flaming-pu', 'all fires', 'toast', 'frying', 'normal']) {
      expect(table).toContain(name);
    }
    expect(table).toMatch(/all fires\s+5\s+4\/5 \(80 %\)\s+25 s \/ 37 s/);
  });
});
