import { z } from 'zod';

/** Alarm levels, lowest first. `none` is the quiet state. */
export const ALARM_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

export function levelRank(level: AlarmLevel): number {
  return ALARM_LEVELS.indexOf(level);
}

const LevelRule = z.object({
  /** Fire probability at or above which this level is wanted. */
  threshold: z.number().min(0).max(1),
  /** Consecutive steps at or above the threshold before the level is raised. */
  raiseAfter: z.number().int().positive(),
  /** Consecutive steps below `threshold − hysteresis` before it is lowered again. */
  clearAfter: z.number().int().positive(),
});

/**
 * How probabilities become alarm levels: each level has a threshold, a
 * persistence before it is raised and a hysteresis band before it clears,
 * so a single noisy step can neither raise nor drop an alarm.
 */
export const AlarmPolicy = z
  .object({
    low: LevelRule,
    medium: LevelRule,
    high: LevelRule,
    hysteresis: z.number().min(0).max(0.5),
  })
  .refine((p) => p.low.threshold <= p.medium.threshold && p.medium.threshold <= p.high.threshold, {
    message: 'thresholds must rise from low to medium to high',
  });
export type AlarmPolicy = z.infer<typeof AlarmPolicy>;

export const DEFAULT_ALARM_POLICY: AlarmPolicy = {
  low: { threshold: 0.3, raiseAfter: 3, clearAfter: 30 },
  medium: { threshold: 0.6, raiseAfter: 3, clearAfter: 30 },
  high: { threshold: 0.85, raiseAfter: 3, clearAfter: 60 },
  hysteresis: 0.1,
};
