import { z } from 'zod';

/** Seconds from ignition; null when no run of the group produced the event, since JSON has no NaN. */
const Seconds = z.number().nonnegative().nullable();
const Rate = z.number().min(0).max(1);
const Count = z.number().int().nonnegative();

/** How one conventional detector did on the fire runs. */
export const DetectorFigures = z.object({ detectionRate: Rate, medianTimeToAlarmS: Seconds });
export type DetectorFigures = z.infer<typeof DetectorFigures>;

const FireFigures = z
  .object({
    runs: Count,
    detected: Count,
    detectionRate: Rate,
    medianTimeToAlarmS: Seconds,
    p90TimeToAlarmS: Seconds,
    /** The first level below alarm (a heads-up), which may come well before the alarm itself. */
    medianTimeToHeadsUpS: Seconds,
  })
  .refine((f) => f.detected <= f.runs, { message: 'detected cannot exceed runs', path: ['detected'] });

const NuisanceFigures = z
  .object({
    runs: Count,
    falseAlarmRuns: Count,
    headsUpRuns: Count,
    falseAlarmsPerHour: z.number().nonnegative(),
  })
  .refine((n) => n.falseAlarmRuns <= n.runs && n.headsUpRuns <= n.runs, {
    message: 'falseAlarmRuns and headsUpRuns cannot exceed runs',
    path: ['falseAlarmRuns'],
  });

const NormalFigures = z
  .object({ runs: Count, falseAlarmRuns: Count })
  .refine((n) => n.falseAlarmRuns <= n.runs, {
    message: 'falseAlarmRuns cannot exceed runs',
    path: ['falseAlarmRuns'],
  });

const ClassFigures = z
  .object({ runs: Count, detected: Count, medianTimeToAlarmS: Seconds, baselineMedianTimeToAlarmS: Seconds })
  .refine((c) => c.detected <= c.runs, { message: 'detected cannot exceed runs', path: ['detected'] });

/**
 * What the evaluator reports about one model on held-out scenarios, beside
 * the conventional detectors on the same runs. Stored as evaluation.json
 * next to the model and read by the approval gate.
 */
export const EvaluationSummary = z.object({
  schemaVersion: z.literal(1),
  /** The manifest version this evaluation is of; the registry refuses a mismatch. */
  modelVersion: z.string().min(1),
  evaluatedAt: z.iso.datetime(),
  /** Which seeds were held out of training, in words (e.g. 'seeds 9000-9499, never trained on'). */
  heldOutSeeds: z.string().min(1),
  fire: FireFigures,
  baseline: z.object({
    /** Per fire run, the earliest alarm of any conventional detector. */
    best: DetectorFigures,
    smoke: DetectorFigures,
    heat_fixed: DetectorFigures,
    rate_of_rise: DetectorFigures,
    co: DetectorFigures,
  }),
  nuisance: NuisanceFigures,
  normal: NormalFigures,
  /** Fire runs by scenario class (e.g. 'smouldering', 'flaming'). */
  perClass: z.record(z.string().min(1), ClassFigures),
  /**
   * The fire runs where both the model and the best baseline alarmed, and
   * each one's median time to alarm over exactly those runs: the one fair
   * comparison of speed, which the gate and the speed-up both use. Absent in
   * summaries written before it was kept.
   */
  paired: z
    .object({ runs: Count, modelMedianTimeToAlarmS: Seconds, baselineMedianTimeToAlarmS: Seconds })
    .optional(),
  /** Paired best-baseline median over paired model median: 2 means twice as fast; null when either is null. */
  speedupVsBestBaseline: z.number().positive().nullable(),
});
export type EvaluationSummary = z.infer<typeof EvaluationSummary>;

/** Headline figures kept in the catalogue so that listings need no object reads. */
export type HeadlineMetrics = Record<string, number | null>;

export function headlineMetrics(evaluation: EvaluationSummary): HeadlineMetrics {
  return {
    fireRuns: evaluation.fire.runs,
    detectionRate: evaluation.fire.detectionRate,
    medianTimeToAlarmS: evaluation.fire.medianTimeToAlarmS,
    baselineMedianTimeToAlarmS: evaluation.baseline.best.medianTimeToAlarmS,
    speedupVsBestBaseline: evaluation.speedupVsBestBaseline,
    nuisanceRuns: evaluation.nuisance.runs,
    falseAlarmRuns: evaluation.nuisance.falseAlarmRuns + evaluation.normal.falseAlarmRuns,
    falseAlarmsPerHour: evaluation.nuisance.falseAlarmsPerHour,
  };
}
