import { z } from 'zod';
import type { EvaluationSummary } from './evaluation-summary.js';
import type { RecordingCheck, RecordingKind } from './recording-checks.js';

const Rate = z.number().min(0).max(1);
const Count = z.number().int().nonnegative();

/**
 * What a model must show before it may go to the fleet. The defaults are the
 * project's targets: every held-out fire found, no false alarm, an alarm in at
 * most half the time of the best conventional detector, on an evaluation big
 * enough to mean something, and no step back from the model in service.
 * Strict, so that a misspelt field in a criteria file is an error.
 */
export const GateCriteria = z.strictObject({
  minDetectionRate: Rate.default(1),
  maxFalseAlarmRuns: Count.default(0),
  minNuisanceRuns: Count.default(300),
  minFireRuns: Count.default(1),
  maxTimeToAlarmRatioVsBaseline: z.number().positive().default(0.5),
  /** Largest allowed fall in detection rate against the current model, as a fraction (0.01 = 1 point). */
  maxDetectionRateDropVsCurrent: Rate.default(0),
  /** Largest allowed rise in the share of non-fire runs with a false alarm against the current model. */
  maxFalseAlarmRateRiseVsCurrent: Rate.default(0),
  /** Largest allowed relative rise of the median time to alarm against the current model (0.1 = +10 %). */
  maxTimeToAlarmRiseVsCurrent: z.number().nonnegative().default(0.1),
});
export type GateCriteria = z.infer<typeof GateCriteria>;

export const DEFAULT_GATE_CRITERIA: GateCriteria = GateCriteria.parse({});

/** One criterion as the gate measured it. */
export interface GateCheck {
  criterion: string;
  passed: boolean;
  measured: number | null;
  limit: number;
  /** The line for people: measured value, how it was obtained, and the limit. */
  reason: string;
}

export interface GateResult {
  approved: boolean;
  /** Every criterion, passing and failing, in the order checked. */
  reasons: string[];
  checks: GateCheck[];
}

/** The approved model the candidate must not fall behind. */
export interface GateReference {
  version: string;
  evaluation: EvaluationSummary;
}

// Ratios computed from floats must not fail a limit they meet exactly (0.3 / 0.6 vs 0.5).
const SLACK = 1e-9;
const atMost = (value: number, limit: number): boolean =>
  value <= limit + SLACK * Math.max(1, Math.abs(limit));
const atLeast = (value: number, limit: number): boolean => atMost(limit, value);

const percent = (rate: number): string => `${(rate * 100).toFixed(1)} %`;
const seconds = (value: number | null): string => (value === null ? 'none' : `${value.toFixed(1)} s`);

function check(
  criterion: string,
  passed: boolean,
  measured: number | null,
  limit: number,
  text: string,
  limitText: string,
): GateCheck {
  return {
    criterion,
    passed,
    measured,
    limit,
    reason: `${passed ? 'pass' : 'FAIL'}: ${text} (limit ${limitText})`,
  };
}

function falseAlarmRuns(e: EvaluationSummary): number {
  return e.nuisance.falseAlarmRuns + e.normal.falseAlarmRuns;
}

/** Share of non-fire runs with at least one false alarm; 0 when there were none. */
function falseAlarmRate(e: EvaluationSummary): number {
  const runs = e.nuisance.runs + e.normal.runs;
  return runs === 0 ? 0 : falseAlarmRuns(e) / runs;
}

/**
 * The speed check, on the same runs as the summary's speed-up: the fire runs
 * where both the model and the best baseline alarmed. Comparing the model's
 * median over all its detections with the baseline's over its own fewer ones
 * would charge the model for the slow fires only it caught (a smoulder no
 * detector notices), and would disagree with the speed-up beside it.
 */
function speedCheck(e: EvaluationSummary, c: GateCriteria): GateCheck {
  const limitText = `≤ ${c.maxTimeToAlarmRatioVsBaseline.toFixed(2)} ×`;
  const criterion = 'maxTimeToAlarmRatioVsBaseline';
  const limit = c.maxTimeToAlarmRatioVsBaseline;
  if (e.fire.medianTimeToAlarmS === null) {
    return check(criterion, false, null, limit, 'median time to alarm none (no fire detected)', limitText);
  }
  const paired = e.paired;
  const model = paired?.modelMedianTimeToAlarmS ?? null;
  const baseline = paired?.baselineMedianTimeToAlarmS ?? null;
  // Older summaries kept only the speed-up, which is the paired ratio's inverse.
  const ratio =
    paired !== undefined
      ? model === null || baseline === null || baseline === 0
        ? null
        : model / baseline
      : e.speedupVsBestBaseline === null
        ? null
        : 1 / e.speedupVsBestBaseline;
  if (ratio === null) {
    // No run where both alarmed: faster than any ratio only if the best baseline never alarmed at all.
    const never = e.baseline.best.medianTimeToAlarmS === null;
    const text = never
      ? `median time to alarm ${seconds(e.fire.medianTimeToAlarmS)}, best baseline never alarmed`
      : 'no fire run where both the model and the best baseline alarmed';
    return check(criterion, never, null, limit, text, limitText);
  }
  const text =
    paired === undefined
      ? `time to alarm ${ratio.toFixed(2)} × best baseline (speed-up ${(1 / ratio).toFixed(2)} ×) on the fire runs where both alarmed`
      : `median time to alarm ${seconds(model)} = ${ratio.toFixed(2)} × best baseline ${seconds(baseline)} ` +
        `(speed-up ${(1 / ratio).toFixed(2)} ×) on the ${String(paired.runs)} fire runs where both alarmed`;
  return check(criterion, atMost(ratio, limit), ratio, limit, text, limitText);
}

function absoluteChecks(e: EvaluationSummary, c: GateCriteria): GateCheck[] {
  return [
    check(
      'minNuisanceRuns',
      e.nuisance.runs >= c.minNuisanceRuns,
      e.nuisance.runs,
      c.minNuisanceRuns,
      `nuisance runs evaluated ${e.nuisance.runs}`,
      `≥ ${c.minNuisanceRuns}`,
    ),
    check(
      'minFireRuns',
      e.fire.runs >= c.minFireRuns,
      e.fire.runs,
      c.minFireRuns,
      `fire runs evaluated ${e.fire.runs}`,
      `≥ ${c.minFireRuns}`,
    ),
    check(
      'minDetectionRate',
      atLeast(e.fire.detectionRate, c.minDetectionRate),
      e.fire.detectionRate,
      c.minDetectionRate,
      `fire detection rate ${percent(e.fire.detectionRate)} (${e.fire.detected}/${e.fire.runs} runs)`,
      `≥ ${percent(c.minDetectionRate)}`,
    ),
    check(
      'maxFalseAlarmRuns',
      falseAlarmRuns(e) <= c.maxFalseAlarmRuns,
      falseAlarmRuns(e),
      c.maxFalseAlarmRuns,
      `false alarm runs ${falseAlarmRuns(e)} (${e.nuisance.falseAlarmRuns}/${e.nuisance.runs} nuisance, ` +
        `${e.normal.falseAlarmRuns}/${e.normal.runs} normal)`,
      `≤ ${c.maxFalseAlarmRuns}`,
    ),
    speedCheck(e, c),
  ];
}

function regressionChecks(e: EvaluationSummary, c: GateCriteria, current: GateReference): GateCheck[] {
  const was = current.evaluation;
  const against = `current ${current.version}`;
  const drop = was.fire.detectionRate - e.fire.detectionRate;
  const rise = falseAlarmRate(e) - falseAlarmRate(was);
  const model = e.fire.medianTimeToAlarmS;
  const before = was.fire.medianTimeToAlarmS;
  // A current model that never alarmed sets no pace; a candidate that never alarms always falls behind.
  const change = model === null || before === null || before === 0 ? null : model / before - 1;
  const slower =
    before !== null &&
    (model === null || (change !== null && !atMost(change, c.maxTimeToAlarmRiseVsCurrent)));
  const changeText = change === null ? '' : ` = ${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
  return [
    check(
      'maxDetectionRateDropVsCurrent',
      atMost(drop, c.maxDetectionRateDropVsCurrent),
      drop,
      c.maxDetectionRateDropVsCurrent,
      `detection rate ${percent(e.fire.detectionRate)} vs ${percent(was.fire.detectionRate)} of ${against}`,
      `drop ≤ ${percent(c.maxDetectionRateDropVsCurrent)}`,
    ),
    check(
      'maxFalseAlarmRateRiseVsCurrent',
      atMost(rise, c.maxFalseAlarmRateRiseVsCurrent),
      rise,
      c.maxFalseAlarmRateRiseVsCurrent,
      `non-fire runs with a false alarm ${percent(falseAlarmRate(e))} vs ${percent(falseAlarmRate(was))} of ${against}`,
      `rise ≤ ${percent(c.maxFalseAlarmRateRiseVsCurrent)}`,
    ),
    check(
      'maxTimeToAlarmRiseVsCurrent',
      !slower,
      change,
      c.maxTimeToAlarmRiseVsCurrent,
      `median time to alarm ${seconds(model)} vs ${seconds(before)} of ${against}${changeText}`,
      `rise ≤ +${(c.maxTimeToAlarmRiseVsCurrent * 100).toFixed(1)} %`,
    ),
  ];
}

const RECORDING_CRITERIA: Readonly<
  Record<RecordingKind, { criterion: string; words: string; rule: string }>
> = {
  'real-fire': {
    criterion: 'realFires',
    words: 'real-fire positions',
    rule: 'never silent, nothing at medium or above before ignition',
  },
  'field-fire': { criterion: 'fieldFires', words: 'confirmed field fires', rule: 'a high in each' },
  'field-false-alarm': {
    criterion: 'fieldFalseAlarms',
    words: 'confirmed field false alarms',
    rule: 'no high in any',
  },
};

/** One gate check per kind of recording given: all must pass, and a failure names its recordings. */
function recordingChecks(recordings: readonly RecordingCheck[]): GateCheck[] {
  const kinds = [...new Set(recordings.map((r) => r.kind))];
  return kinds.map((kind) => {
    const { criterion, words, rule } = RECORDING_CRITERIA[kind];
    const all = recordings.filter((r) => r.kind === kind);
    const failed = all.filter((r) => !r.passed);
    const text =
      failed.length === 0
        ? `${String(all.length)} ${words} replayed, ${rule}`
        : `${String(failed.length)} of ${String(all.length)} ${words} failed: ${failed
            .slice(0, 3)
            .map((r) => r.reason)
            .join('; ')}${failed.length > 3 ? `; and ${String(failed.length - 3)} more` : ''}`;
    return check(criterion, failed.length === 0, failed.length, 0, text, rule);
  });
}

/**
 * Decides whether a candidate may be approved: every absolute criterion, no
 * regression against `current` when a model is in service, and every real
 * recording given (real fires, operators' confirmed fires and false alarms)
 * right. Pure; the reasons list every criterion so that a refusal explains
 * itself, naming the recordings that decided it.
 */
export function evaluateGate(
  candidate: EvaluationSummary,
  criteria: GateCriteria = DEFAULT_GATE_CRITERIA,
  current?: GateReference,
  recordings: readonly RecordingCheck[] = [],
): GateResult {
  const checks = [
    ...absoluteChecks(candidate, criteria),
    ...(current === undefined ? [] : regressionChecks(candidate, criteria, current)),
    ...recordingChecks(recordings),
  ];
  const reasons = checks.map((c) => c.reason);
  if (current === undefined) reasons.push('pass: no approved model in service to compare against');
  return { approved: checks.every((c) => c.passed), reasons, checks };
}
