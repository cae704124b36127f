import { ALARM_LEVELS, levelRank, type AlarmLevel, type AlarmPolicy } from './alarm-policy.js';

/** A change of alarm level, as the edge publishes it and evaluation scores it. */
export interface AlarmChange {
  readonly ts: number;
  readonly from: AlarmLevel;
  readonly level: AlarmLevel;
  readonly probability: number;
}

const RAISABLE = ALARM_LEVELS.slice(1) as Exclude<AlarmLevel, 'none'>[];

/**
 * The alarm state machine: one instance per device, fed one probability per
 * step. Pure apart from its own counters, so edge and evaluation share it.
 */
export class AlarmState {
  readonly #policy: AlarmPolicy;
  #level: AlarmLevel = 'none';
  readonly #above = new Map<AlarmLevel, number>();
  readonly #below = new Map<AlarmLevel, number>();
  #sustained = 0;

  constructor(policy: AlarmPolicy) {
    this.#policy = policy;
  }

  get level(): AlarmLevel {
    return this.#level;
  }

  /** Feeds one step; returns the change it caused, if any. NaN (no estimate) counts as below every threshold. */
  update(ts: number, probability: number): AlarmChange | undefined {
    const p = Number.isFinite(probability) ? probability : 0;
    const sustained = this.#policy.sustainedHigh;
    for (const level of RAISABLE) {
      const rule = this.#policy[level];
      this.#above.set(level, p >= rule.threshold ? (this.#above.get(level) ?? 0) + 1 : 0);
      // A high raised by the sustained rule holds until the probability falls below that rule's own band.
      const clearBelow =
        level === 'high' && sustained !== undefined
          ? Math.min(rule.threshold, sustained.threshold)
          : rule.threshold;
      this.#below.set(
        level,
        p < clearBelow - this.#policy.hysteresis ? (this.#below.get(level) ?? 0) + 1 : 0,
      );
    }
    this.#sustained = sustained !== undefined && p >= sustained.threshold ? this.#sustained + 1 : 0;
    let target: AlarmLevel = this.#level;
    for (const level of RAISABLE) {
      if (
        levelRank(level) > levelRank(target) &&
        (this.#above.get(level) ?? 0) >= this.#policy[level].raiseAfter
      ) {
        target = level;
      }
    }
    if (sustained !== undefined && this.#sustained >= sustained.raiseAfter) target = 'high';
    // Lower only when the current level's own clearing rule is met, to the highest level still wanted.
    const current = this.#level;
    if (
      target === current &&
      current !== 'none' &&
      (this.#below.get(current) ?? 0) >= this.#policy[current].clearAfter
    ) {
      target = 'none';
      for (const level of RAISABLE) {
        if (levelRank(level) < levelRank(current) && p >= this.#policy[level].threshold) target = level;
      }
    }
    if (target === this.#level) return undefined;
    const change: AlarmChange = { ts, from: this.#level, level: target, probability: p };
    this.#level = target;
    return change;
  }
}
