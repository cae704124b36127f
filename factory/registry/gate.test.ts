import { describe, expect, it } from 'vitest';
import type { EvaluationSummary } from './evaluation-summary.js';
import { DEFAULT_GATE_CRITERIA, evaluateGate, GateCriteria, type GateReference } from './gate.js';
import { evaluationWith, passingEvaluation } from './registry-fixtures.test-helper.js';

interface GateCase {
  name: string;
  change: (e: EvaluationSummary) => void;
  current?: (e: EvaluationSummary) => void;
  approved: boolean;
  /** The criteria expected to fail, in order. */
  failing: string[];
}

const CASES: GateCase[] = [
  { name: 'the passing evaluation', change: () => undefined, approved: true, failing: [] },
  {
    name: 'one missed fire',
    change: (e) => Object.assign(e.fire, { detected: 47, detectionRate: 47 / 48 }),
    approved: false,
    failing: ['minDetectionRate'],
  },
  {
    name: 'one false alarm in a nuisance run',
    change: (e) => (e.nuisance.falseAlarmRuns = 1),
    approved: false,
    failing: ['maxFalseAlarmRuns'],
  },
  {
    name: 'one false alarm in a normal run',
    change: (e) => (e.normal.falseAlarmRuns = 1),
    approved: false,
    failing: ['maxFalseAlarmRuns'],
  },
  {
    name: 'too few nuisance runs to judge',
    change: (e) => (e.nuisance.runs = 299),
    approved: false,
    failing: ['minNuisanceRuns'],
  },
  {
    name: 'exactly the minimum evaluation size',
    change: (e) => (e.nuisance.runs = 300),
    approved: true,
    failing: [],
  },
  {
    name: 'no fire runs at all',
    change: (e) =>
      Object.assign(e.fire, { runs: 0, detected: 0, detectionRate: 0, medianTimeToAlarmS: null }),
    approved: false,
    failing: ['minFireRuns', 'minDetectionRate', 'maxTimeToAlarmRatioVsBaseline'],
  },
  {
    name: 'exactly half the baseline time (0.3 / 0.6 in floats)',
    change: (e) => {
      e.paired = { runs: 45, modelMedianTimeToAlarmS: 0.3, baselineMedianTimeToAlarmS: 0.6 };
      e.speedupVsBestBaseline = 2;
    },
    approved: true,
    failing: [],
  },
  {
    name: 'slower than half the baseline time on the runs where both alarmed',
    change: (e) => {
      e.paired = { runs: 45, modelMedianTimeToAlarmS: 46, baselineMedianTimeToAlarmS: 90 };
      e.speedupVsBestBaseline = 90 / 46;
    },
    approved: false,
    failing: ['maxTimeToAlarmRatioVsBaseline'],
  },
  {
    // Slow fires only the model caught raise its overall median; they say nothing of relative speed.
    name: 'a slower overall median from fires only the model caught',
    change: (e) => (e.fire.medianTimeToAlarmS = 60),
    approved: true,
    failing: [],
  },
  {
    name: 'baselines never alarmed but the model did',
    change: (e) => {
      e.baseline.best.medianTimeToAlarmS = null;
      e.paired = { runs: 0, modelMedianTimeToAlarmS: null, baselineMedianTimeToAlarmS: null };
      e.speedupVsBestBaseline = null;
    },
    approved: true,
    failing: [],
  },
  {
    name: 'the baseline alarmed, but never on a run the model alarmed on',
    change: (e) => {
      e.paired = { runs: 0, modelMedianTimeToAlarmS: null, baselineMedianTimeToAlarmS: null };
      e.speedupVsBestBaseline = null;
    },
    approved: false,
    failing: ['maxTimeToAlarmRatioVsBaseline'],
  },
  {
    name: 'a summary from before paired figures were kept: the speed-up decides',
    change: (e) => {
      delete e.paired;
      e.speedupVsBestBaseline = 1.5;
    },
    approved: false,
    failing: ['maxTimeToAlarmRatioVsBaseline'],
  },
  {
    name: 'no regression against the current model',
    change: () => undefined,
    current: (e) => (e.fire.medianTimeToAlarmS = 28),
    approved: true,
    failing: [],
  },
  {
    name: 'median time to alarm +10 % over current (the limit)',
    change: (e) => (e.fire.medianTimeToAlarmS = 33),
    current: () => undefined,
    approved: true,
    failing: [],
  },
  {
    name: 'median time to alarm +13 % over current',
    change: (e) => (e.fire.medianTimeToAlarmS = 34),
    current: () => undefined,
    approved: false,
    failing: ['maxTimeToAlarmRiseVsCurrent'],
  },
  {
    name: 'lower detection rate than current, with a looser absolute limit',
    change: (e) => Object.assign(e.fire, { detected: 47, detectionRate: 47 / 48 }),
    current: () => undefined,
    approved: false,
    failing: ['minDetectionRate', 'maxDetectionRateDropVsCurrent'],
  },
  {
    name: 'a larger share of false alarms than current',
    change: (e) => (e.nuisance.falseAlarmRuns = 1),
    current: () => undefined,
    approved: false,
    failing: ['maxFalseAlarmRuns', 'maxFalseAlarmRateRiseVsCurrent'],
  },
  {
    name: 'current model never alarmed: no pace to keep',
    change: () => undefined,
    current: (e) => (e.fire.medianTimeToAlarmS = null),
    approved: true,
    failing: [],
  },
];

function reference(change: (e: EvaluationSummary) => void): GateReference {
  return { version: 'v1', evaluation: evaluationWith('v1', change) };
}

describe('evaluateGate', () => {
  it.each(CASES)('$name', ({ change, current, approved, failing }) => {
    const result = evaluateGate(
      evaluationWith('v2', change),
      DEFAULT_GATE_CRITERIA,
      current === undefined ? undefined : reference(current),
    );
    expect(result.approved).toBe(approved);
    expect(result.checks.filter((c) => !c.passed).map((c) => c.criterion)).toEqual(failing);
    expect(result.reasons.filter((r) => r.startsWith('FAIL: '))).toHaveLength(failing.length);
    expect(result.checks).toHaveLength(current === undefined ? 5 : 8);
  });

  it('lists every criterion with its measured value and limit, passing and failing', () => {
    const result = evaluateGate(
      evaluationWith('v2', (e) => (e.nuisance.runs = 120)),
      DEFAULT_GATE_CRITERIA,
      reference((e) => (e.fire.medianTimeToAlarmS = 25)),
    );
    expect(result.reasons).toEqual([
      'FAIL: nuisance runs evaluated 120 (limit ≥ 300)',
      'pass: fire runs evaluated 48 (limit ≥ 1)',
      'pass: fire detection rate 100.0 % (48/48 runs) (limit ≥ 100.0 %)',
      'pass: false alarm runs 0 (0/120 nuisance, 0/100 normal) (limit ≤ 0)',
      'pass: median time to alarm 30.0 s = 0.33 × best baseline 90.0 s (speed-up 3.00 ×) on the 45 fire runs where both alarmed (limit ≤ 0.50 ×)',
      'pass: detection rate 100.0 % vs 100.0 % of current v1 (limit drop ≤ 0.0 %)',
      'pass: non-fire runs with a false alarm 0.0 % vs 0.0 % of current v1 (limit rise ≤ 0.0 %)',
      'FAIL: median time to alarm 30.0 s vs 25.0 s of current v1 = +20.0 % (limit rise ≤ +10.0 %)',
    ]);
  });

  it('says when there is no current model to compare against', () => {
    const result = evaluateGate(passingEvaluation('v1'));
    expect(result.reasons.at(-1)).toBe('pass: no approved model in service to compare against');
  });

  it('fails a model that detected nothing though the current one did', () => {
    const result = evaluateGate(
      evaluationWith('v2', (e) => (e.fire.medianTimeToAlarmS = null)),
      DEFAULT_GATE_CRITERIA,
      reference(() => undefined),
    );
    expect(result.checks.find((c) => c.criterion === 'maxTimeToAlarmRiseVsCurrent')?.passed).toBe(false);
    expect(result.approved).toBe(false);
  });

  it('honours looser criteria', () => {
    const criteria = GateCriteria.parse({
      minDetectionRate: 0.95,
      minNuisanceRuns: 50,
      maxFalseAlarmRuns: 1,
    });
    const result = evaluateGate(
      evaluationWith('v2', (e) => {
        Object.assign(e.fire, { detected: 46, detectionRate: 46 / 48 });
        e.nuisance.runs = 60;
        e.nuisance.falseAlarmRuns = 1;
      }),
      criteria,
    );
    expect(result.approved).toBe(true);
  });

  it('has the project targets as defaults, and refuses unknown criteria', () => {
    expect(DEFAULT_GATE_CRITERIA).toMatchObject({
      minDetectionRate: 1,
      maxFalseAlarmRuns: 0,
      minNuisanceRuns: 300,
      maxTimeToAlarmRatioVsBaseline: 0.5,
      maxTimeToAlarmRiseVsCurrent: 0.1,
    });
    expect(GateCriteria.safeParse({ minDetectonRate: 0.9 }).success).toBe(false);
  });
});
