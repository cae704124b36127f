import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmPolicy, DEFAULT_ALARM_POLICY } from './alarm-policy.js';
import { AlarmState, type AlarmChange } from './alarm-state.js';

function run(probabilities: number[], policy = DEFAULT_ALARM_POLICY): AlarmChange[] {
  const state = new AlarmState(policy);
  return probabilities.flatMap((p, t) => state.update(t, p) ?? []);
}

describe('AlarmState', () => {
  it('needs persistence: one noisy step never raises anything', () => {
    expect(run([0, 0, 1, 0, 0, 0.99, 0.2, 1, 1, 0])).toEqual([]);
  });

  it('raises straight to the level that persisted, and reports the step and probability', () => {
    const changes = run([0.1, 0.95, 0.95, 0.95, 0.95]);
    expect(changes).toEqual([{ ts: 3, from: 'none', level: 'high', probability: 0.95 }]);
  });

  it('climbs through the levels as the probability grows', () => {
    const ramp = [0.35, 0.35, 0.35, 0.65, 0.65, 0.65, 0.9, 0.9, 0.9];
    expect(run(ramp).map((c) => c.level)).toEqual(['low', 'medium', 'high']);
  });

  it('clears only after a quiet spell below the hysteresis band', () => {
    const high = new Array<number>(5).fill(0.95);
    const hovering = new Array<number>(100).fill(0.8); // below 0.85 but inside the band
    expect(run([...high, ...hovering]).map((c) => c.level)).toEqual(['high']);
    const quiet = new Array<number>(60).fill(0.1);
    const changes = run([...high, ...quiet]);
    expect(changes.map((c) => c.level)).toEqual(['high', 'none']);
    expect(changes[1]?.ts).toBe(5 + 59);
  });

  it('steps down to a level still wanted', () => {
    const changes = run([...new Array<number>(5).fill(0.95), ...new Array<number>(70).fill(0.65)]);
    expect(changes.map((c) => c.level)).toEqual(['high', 'medium']);
  });

  it('treats NaN (no estimate) as quiet, never as an alarm', () => {
    expect(run(new Array<number>(50).fill(Number.NaN))).toEqual([]);
  });

  it('never reports a change to the same level, and every change continues from the last', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 300 }), (ps) => {
        const changes = run(ps);
        let level = 'none';
        for (const change of changes) {
          expect(change.from).toBe(level);
          expect(change.level).not.toBe(level);
          level = change.level;
        }
      }),
    );
  });

  it('refuses a policy whose thresholds do not rise', () => {
    const bad = { ...DEFAULT_ALARM_POLICY, low: { ...DEFAULT_ALARM_POLICY.low, threshold: 0.9 } };
    expect(AlarmPolicy.safeParse(bad).success).toBe(false);
    expect(AlarmPolicy.safeParse(DEFAULT_ALARM_POLICY).success).toBe(true);
  });
});
