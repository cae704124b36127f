import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvaluationSummary, headlineMetrics } from './evaluation-summary.js';
import { evaluationWith, passingEvaluation } from './registry-fixtures.test-helper.js';

describe('EvaluationSummary', () => {
  it('survives a JSON round trip, with nulls where no run alarmed', () => {
    const evaluation = evaluationWith('v1', (e) => {
      e.baseline.co.medianTimeToAlarmS = null;
      e.speedupVsBestBaseline = null;
    });
    expect(EvaluationSummary.parse(JSON.parse(JSON.stringify(evaluation)))).toEqual(evaluation);
  });

  it('refuses NaN and infinities, which JSON cannot carry', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = EvaluationSummary.safeParse(
        evaluationWith('v1', (e) => (e.fire.medianTimeToAlarmS = bad)),
      );
      expect(result.success).toBe(false);
    }
  });

  it('accepts counts exactly when no part exceeds its whole', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), fc.nat(500), (runs, detected, falseAlarms) => {
        const evaluation = evaluationWith('v1', (e) => {
          e.fire.runs = runs;
          e.fire.detected = detected;
          e.normal.falseAlarmRuns = falseAlarms;
          e.normal.runs = runs;
        });
        const consistent = detected <= runs && falseAlarms <= runs;
        expect(EvaluationSummary.safeParse(evaluation).success).toBe(consistent);
      }),
    );
  });

  it('keeps the headline figures the catalogue lists', () => {
    const metrics = headlineMetrics(evaluationWith('v1', (e) => (e.normal.falseAlarmRuns = 2)));
    expect(metrics).toMatchObject({
      detectionRate: 1,
      medianTimeToAlarmS: 30,
      falseAlarmRuns: 2,
      nuisanceRuns: 320,
    });
    expect(headlineMetrics(passingEvaluation('v1')).speedupVsBestBaseline).toBe(3);
  });
});
