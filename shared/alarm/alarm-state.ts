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
  #belowSustained = 0;
  /** Which rule holds the current high: the sustained one clears only below its own, lower band. */
  #highBy: 'fast' | 'sustained' = 'fast';

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
      this.#below.set(
        level,
        p < rule.threshold - this.#policy.hysteresis ? (this.#below.get(level) ?? 0) + 1 : 0,
      );
    }
    if (sustained !== undefined) {
      this.#sustained = p >= sustained.threshold ? this.#sustained + 1 : 0;
      this.#belowSustained = p < sustained.threshold - this.#policy.hysteresis ? this.#belowSustained + 1 : 0;
    }
    const sustainedDue = sustained !== undefined && this.#sustained >= sustained.raiseAfter;
    let target: AlarmLevel = this.#level;
    for (const level of RAISABLE) {
      if (
        levelRank(level) > levelRank(target) &&
        (this.#above.get(level) ?? 0) >= this.#policy[level].raiseAfter
      ) {
        target = level;
      }
    }
    if (sustainedDue) target = 'high';
    // Lower only when the current level's own clearing rule is met, to the highest level still wanted.
    const current = this.#level;
    // Once the sustained rule holds, the high is its to clear: below its band, which sits lower.
    if (current === 'high' && sustainedDue) this.#highBy = 'sustained';
    const below =
      current === 'high' && this.#highBy === 'sustained'
        ? this.#belowSustained
        : (this.#below.get(current) ?? 0);
    if (target === current && current !== 'none' && below >= this.#policy[current].clearAfter) {
      target = 'none';
      for (const level of RAISABLE) {
        if (levelRank(level) < levelRank(current) && p >= this.#policy[level].threshold) target = level;
      }
    }
    if (target === this.#level) return undefined;
    if (target === 'high') this.#highBy = sustainedDue ? 'sustained' : 'fast';
    const change: AlarmChange = { ts, from: this.#level, level: target, probability: p };
    this.#level = target;
    return change;
  }
}
