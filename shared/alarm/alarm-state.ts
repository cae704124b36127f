import { floorNames, type FloorMask, type FloorName } from '../detection/floor-monitor.js';
import { ALARM_LEVELS, levelRank, type AlarmLevel, type AlarmPolicy } from './alarm-policy.js';

/** A change of alarm level, as the edge publishes it and evaluation scores it. */
export interface AlarmChange {
  readonly ts: number;
  readonly from: AlarmLevel;
  readonly level: AlarmLevel;
  readonly probability: number;
  /** The floors standing when a high was raised by them; absent when the model raised it. */
  readonly floors?: readonly FloorName[];
}

const RAISABLE = ALARM_LEVELS.slice(1) as Exclude<AlarmLevel, 'none'>[];

/** Which rule holds a high: each clears in its own way. */
type HighRule = 'fast' | 'sustained' | 'floor';

/**
 * The alarm state machine: one instance per device, fed one probability and
 * the floors standing per step. Pure apart from its own counters, so edge
 * and evaluation share it. A floor raises high at once and holds it for as
 * long as it stands; the model can raise earlier but never hold a floor back.
 */
export class AlarmState {
  readonly #policy: AlarmPolicy;
  #level: AlarmLevel = 'none';
  readonly #above = new Map<AlarmLevel, number>();
  readonly #below = new Map<AlarmLevel, number>();
  #sustained = 0;
  #belowSustained = 0;
  /** Steps without a floor and with the probability below high's band. */
  #quietSinceFloor = 0;
  #highBy: HighRule = 'fast';

  constructor(policy: AlarmPolicy) {
    this.#policy = policy;
  }

  get level(): AlarmLevel {
    return this.#level;
  }

  /**
   * Feeds one step; returns the change it caused, if any. NaN (no estimate)
   * counts as below every threshold; `floors` is the mask of floors standing.
   */
  update(ts: number, probability: number, floors: FloorMask = 0): AlarmChange | undefined {
    const p = Number.isFinite(probability) ? probability : 0;
    const policy = this.#policy;
    const sustained = policy.sustainedHigh;
    for (const level of RAISABLE) {
      const rule = policy[level];
      this.#above.set(level, p >= rule.threshold ? (this.#above.get(level) ?? 0) + 1 : 0);
      this.#below.set(level, p < rule.threshold - policy.hysteresis ? (this.#below.get(level) ?? 0) + 1 : 0);
    }
    if (sustained !== undefined) {
      this.#sustained = p >= sustained.threshold ? this.#sustained + 1 : 0;
      this.#belowSustained = p < sustained.threshold - policy.hysteresis ? this.#belowSustained + 1 : 0;
    }
    const quiet = floors === 0 && p < policy.high.threshold - policy.hysteresis;
    this.#quietSinceFloor = quiet ? this.#quietSinceFloor + 1 : 0;
    const sustainedDue = sustained !== undefined && this.#sustained >= sustained.raiseAfter;
    const floorDue = floors !== 0;
    let target: AlarmLevel = this.#level;
    for (const level of RAISABLE) {
      if (levelRank(level) > levelRank(target) && (this.#above.get(level) ?? 0) >= policy[level].raiseAfter) {
        target = level;
      }
    }
    if (sustainedDue || floorDue) target = 'high';
    const current = this.#level;
    // A high held by a rule that still holds passes to that rule, so it clears in that rule's way.
    if (current === 'high' && floorDue) this.#highBy = 'floor';
    else if (current === 'high' && sustainedDue) this.#highBy = 'sustained';
    if (target === current && current !== 'none' && this.#clearDue(current)) {
      target = 'none';
      for (const level of RAISABLE) {
        if (levelRank(level) < levelRank(current) && p >= policy[level].threshold) target = level;
      }
    }
    if (target === this.#level) return undefined;
    if (target === 'high') this.#highBy = floorDue ? 'floor' : sustainedDue ? 'sustained' : 'fast';
    const raisedByFloor = target === 'high' && floorDue;
    const change: AlarmChange = raisedByFloor
      ? { ts, from: this.#level, level: target, probability: p, floors: floorNames(floors) }
      : { ts, from: this.#level, level: target, probability: p };
    this.#level = target;
    return change;
  }

  /** Whether the current level's own clearing rule is met. */
  #clearDue(current: Exclude<AlarmLevel, 'none'>): boolean {
    const clearAfter = this.#policy[current].clearAfter;
    if (current !== 'high') return (this.#below.get(current) ?? 0) >= clearAfter;
    switch (this.#highBy) {
      case 'floor':
        return this.#quietSinceFloor >= clearAfter;
      case 'sustained':
        return this.#belowSustained >= clearAfter;
      case 'fast':
        return (this.#below.get('high') ?? 0) >= clearAfter;
    }
  }
}
