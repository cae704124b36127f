import { EvaluationSummary, type DetectorFigures } from '../registry/evaluation-summary.js';
import { evaluationFigures, type EvaluationFigures, type TimeFigures } from './evaluation-figures.js';
import type { RunOutcome } from './run-outcome.js';

/** What the outcomes cannot say about themselves. */
export interface SummaryContext {
  readonly modelVersion: string;
  /** Which seeds were held out of training, in words. */
  readonly heldOutSeeds: string;
  readonly evaluatedAt?: Date;
}

const detectorFigures = (f: TimeFigures): DetectorFigures => ({
  detectionRate: f.detectionRate,
  medianTimeToAlarmS: f.medianS,
});

/** Best-baseline median over model median, from runs where both alarmed; null when it cannot be a positive number. */
function speedup(figures: EvaluationFigures): number | null {
  const { modelMedianS, baselineMedianS } = figures.fire.paired;
  if (modelMedianS === null || baselineMedianS === null || modelMedianS <= 0 || baselineMedianS <= 0) {
    return null;
  }
  return baselineMedianS / modelMedianS;
}

/** The registry's {@link EvaluationSummary} from pre-computed figures. */
export function summaryFromFigures(figures: EvaluationFigures, context: SummaryContext): EvaluationSummary {
  const { fire, nuisance, normal } = figures;
  return EvaluationSummary.parse({
    schemaVersion: 1,
    modelVersion: context.modelVersion,
    evaluatedAt: (context.evaluatedAt ?? new Date()).toISOString(),
    heldOutSeeds: context.heldOutSeeds,
    fire: {
      runs: fire.runs,
      detected: fire.model.detected,
      detectionRate: fire.model.detectionRate,
      medianTimeToAlarmS: fire.model.medianS,
      p90TimeToAlarmS: fire.model.p90S,
      medianTimeToHeadsUpS: fire.headsUp.medianS,
    },
    baseline: {
      best: detectorFigures(fire.detectors.best),
      smoke: detectorFigures(fire.detectors.smoke),
      heat_fixed: detectorFigures(fire.detectors.heat_fixed),
      rate_of_rise: detectorFigures(fire.detectors.rate_of_rise),
      co: detectorFigures(fire.detectors.co),
    },
    nuisance: {
      runs: nuisance.runs,
      falseAlarmRuns: nuisance.falseAlarmRuns,
      headsUpRuns: nuisance.headsUpRuns,
      falseAlarmsPerHour: nuisance.falseAlarmsPerHour,
    },
    normal: { runs: normal.runs, falseAlarmRuns: normal.falseAlarmRuns },
    perClass: Object.fromEntries(
      Object.entries(figures.perClass).map(([name, c]) => [
        name,
        {
          runs: c.runs,
          detected: c.model.detected,
          medianTimeToAlarmS: c.model.medianS,
          baselineMedianTimeToAlarmS: c.detectors.best.medianS,
        },
      ]),
    ),
    paired: {
      runs: fire.paired.runs,
      modelMedianTimeToAlarmS: fire.paired.modelMedianS,
      baselineMedianTimeToAlarmS: fire.paired.baselineMedianS,
    },
    speedupVsBestBaseline: speedup(figures),
  });
}

/**
 * What the registry keeps about an evaluation, from the runs' outcomes: per
 * fire class and overall, detection and time to alarm against the
 * conventional detectors; false alarms on nuisance and normal runs.
 */
export function summarise(outcomes: readonly RunOutcome[], context: SummaryContext): EvaluationSummary {
  return summaryFromFigures(evaluationFigures(outcomes), context);
}
