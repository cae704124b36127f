import { z } from 'zod';

/** Alarm levels, lowest first. `none` is the quiet state. */
export const ALARM_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

export function levelRank(level: AlarmLevel): number {
  return ALARM_LEVELS.indexOf(level);
}

const LevelRule = z.strictObject({
  /** Fire probability at or above which this level is wanted. */
  threshold: z.number().min(0).max(1),
  /** Consecutive steps at or above the threshold before the level is raised. */
  raiseAfter: z.number().int().positive(),
  /** Consecutive steps below `threshold − hysteresis` before it is lowered again. */
  clearAfter: z.number().int().positive(),
});

/**
 * A second way to reach high: a lower probability held on average over a
 * much longer window. A flaming fire drives the probability up within
 * seconds; a slow smoulder, or smoke that reaches a sensor down the hall
 * long before its heat, keeps it high but wavering for minutes, which no
 * nuisance does. The average rides out a few wavering steps that would
 * restart a step-by-step hold.
 */
const SustainedRule = z.strictObject({
  /** Fire probability that, as the mean of the last `raiseAfter` steps, raises high. */
  threshold: z.number().min(0).max(1),
  raiseAfter: z.number().int().positive(),
});
export type SustainedRule = z.infer<typeof SustainedRule>;

/**
 * How probabilities become alarm levels: each level has a threshold, a
 * persistence before it is raised and a hysteresis band before it clears,
 * so a single noisy step can neither raise nor drop an alarm.
 */
export const AlarmPolicy = z
  .strictObject({
    low: LevelRule,
    medium: LevelRule,
    high: LevelRule,
    /** Optional: high also follows a long run above this lower threshold. */
    sustainedHigh: SustainedRule.optional(),
    hysteresis: z.number().min(0).max(0.5),
  })
  .refine((p) => p.low.threshold <= p.medium.threshold && p.medium.threshold <= p.high.threshold, {
    message: 'thresholds must rise from low to medium to high',
  })
  .refine(
    (p) =>
      p.sustainedHigh === undefined ||
      (p.sustainedHigh.threshold >= p.medium.threshold &&
        p.sustainedHigh.threshold <= p.high.threshold &&
        p.sustainedHigh.threshold > p.hysteresis &&
        p.sustainedHigh.raiseAfter >= p.high.raiseAfter),
    {
      message:
        'sustainedHigh must sit between medium and high, above the hysteresis, and wait at least as long as high',
    },
  );
export type AlarmPolicy = z.infer<typeof AlarmPolicy>;

/**
 * A heads-up waits ten steps, a high three: a heads-up is told to people on
 * weaker evidence, so it needs that evidence to last (a door opening onto a
 * smoky kitchen, a puff of vapour or a first whiff of smoke before anything
 * burns should not make one), while a high must first clear the model's
 * strongest threshold, and a fire that strong raises it within seconds.
 */
export const DEFAULT_ALARM_POLICY: AlarmPolicy = {
  low: { threshold: 0.3, raiseAfter: 3, clearAfter: 30 },
  medium: { threshold: 0.6, raiseAfter: 10, clearAfter: 30 },
  high: { threshold: 0.85, raiseAfter: 3, clearAfter: 60 },
  hysteresis: 0.1,
};
