import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmPolicy, DEFAULT_ALARM_POLICY } from './alarm-policy.js';
import { floorBit } from '../detection/floor-monitor.js';
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

  describe('with a sustained high rule', () => {
    const sustained: AlarmPolicy = {
      ...DEFAULT_ALARM_POLICY,
      sustainedHigh: { threshold: 0.7, raiseAfter: 20 },
    };

    it('raises high after a long hold below the high threshold, and not before', () => {
      const smoulder = new Array<number>(30).fill(0.75);
      const changes = run(smoulder, sustained);
      expect(changes.map((c) => [c.level, c.ts])).toEqual([
        ['medium', 2],
        ['high', 19],
      ]);
      expect(run(smoulder.slice(0, 19), sustained).map((c) => c.level)).toEqual(['medium']);
      // Without the rule the same trace never goes past medium.
      expect(run(smoulder).map((c) => c.level)).toEqual(['medium']);
    });

    it('restarts the hold after any dip below the threshold', () => {
      const dipped = [...new Array<number>(15).fill(0.75), 0.6, ...new Array<number>(15).fill(0.75)];
      expect(run(dipped, sustained).map((c) => c.level)).toEqual(['medium']);
    });

    it('keeps a high raised that way until the probability falls below its own band', () => {
      const held = [...new Array<number>(25).fill(0.75), ...new Array<number>(100).fill(0.65)];
      expect(run(held, sustained).map((c) => c.level)).toEqual(['medium', 'high']);
      const quiet = [...new Array<number>(25).fill(0.75), ...new Array<number>(60).fill(0.1)];
      expect(run(quiet, sustained).map((c) => [c.level, c.ts])).toEqual([
        ['medium', 2],
        ['high', 19],
        ['none', 25 + 59],
      ]);
    });

    it('leaves a fast high its own band: it clears as before once the sustained rule no longer holds', () => {
      const spike = [...new Array<number>(10).fill(0.95), ...new Array<number>(100).fill(0.65)];
      expect(run(spike, sustained).map((c) => [c.level, c.ts])).toEqual([
        ['high', 2],
        ['medium', 10 + 59],
      ]);
      // A fast high whose probability then holds above the sustained threshold is the sustained rule's to clear.
      const settles = [...new Array<number>(10).fill(0.95), ...new Array<number>(100).fill(0.75)];
      expect(run(settles, sustained).map((c) => c.level)).toEqual(['high']);
    });

    it('must sit between medium and high and wait at least as long', () => {
      expect(AlarmPolicy.safeParse(sustained).success).toBe(true);
      const above = { ...sustained, sustainedHigh: { threshold: 0.9, raiseAfter: 20 } };
      expect(AlarmPolicy.safeParse(above).success).toBe(false);
      const hasty = { ...sustained, sustainedHigh: { threshold: 0.7, raiseAfter: 1 } };
      expect(AlarmPolicy.safeParse(hasty).success).toBe(false);
      const low = { ...sustained, sustainedHigh: { threshold: 0.5, raiseAfter: 20 } };
      expect(AlarmPolicy.safeParse(low).success).toBe(false);
    });
  });

  it('refuses a policy whose thresholds do not rise', () => {
    const bad = { ...DEFAULT_ALARM_POLICY, low: { ...DEFAULT_ALARM_POLICY.low, threshold: 0.9 } };
    expect(AlarmPolicy.safeParse(bad).success).toBe(false);
    expect(AlarmPolicy.safeParse(DEFAULT_ALARM_POLICY).success).toBe(true);
  });
});

describe('AlarmState with floors', () => {
  const heat = floorBit('heat-fixed');
  const ror = floorBit('heat-rate-of-rise');

  function runWith(steps: [number, number][], policy = DEFAULT_ALARM_POLICY): AlarmChange[] {
    const state = new AlarmState(policy);
    return steps.flatMap(([p, floors], t) => state.update(t, p, floors) ?? []);
  }

  it('raises high on the first step a floor stands, whatever the probability, and names the floors', () => {
    const changes = runWith([
      [0, 0],
      [0.01, heat | ror],
    ]);
    expect(changes).toEqual([
      { ts: 1, from: 'none', level: 'high', probability: 0.01, floors: ['heat-fixed', 'heat-rate-of-rise'] },
    ]);
  });

  it('holds the high while a floor stands, even with the model quiet for long', () => {
    const steps: [number, number][] = Array.from({ length: 300 }, () => [0, heat]);
    expect(runWith(steps).map((c) => c.level)).toEqual(['high']);
  });

  it('clears only after the floors are gone and the model has been quiet for the clearing spell', () => {
    const steps: [number, number][] = [
      ...Array.from({ length: 10 }, (): [number, number] => [0, heat]),
      ...Array.from({ length: 100 }, (): [number, number] => [0, 0]),
    ];
    const changes = runWith(steps);
    expect(changes.map((c) => [c.level, c.ts])).toEqual([
      ['high', 0],
      ['none', 10 + 59],
    ]);
  });

  it('keeps a high the model holds after the floor is gone', () => {
    const steps: [number, number][] = [
      ...Array.from({ length: 10 }, (): [number, number] => [0.9, heat]),
      ...Array.from({ length: 100 }, (): [number, number] => [0.9, 0]),
    ];
    expect(runWith(steps).map((c) => c.level)).toEqual(['high']);
  });

  it('a floor raises from a heads-up, and a model high already standing is not raised again', () => {
    const fromMedium = runWith([
      [0.7, 0],
      [0.7, 0],
      [0.7, 0],
      [0.7, ror],
    ]);
    expect(fromMedium.map((c) => [c.level, c.floors])).toEqual([
      ['medium', undefined],
      ['high', ['heat-rate-of-rise']],
    ]);
    const already = runWith([
      [0.95, 0],
      [0.95, 0],
      [0.95, 0],
      [0.95, heat],
    ]);
    expect(already.map((c) => c.level)).toEqual(['high']);
  });

  it('never lowers a level while a floor stands', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 15 })), {
          maxLength: 200,
        }),
        (steps) => {
          const state = new AlarmState(DEFAULT_ALARM_POLICY);
          steps.forEach(([p, floors], t) => {
            state.update(t, p, floors);
            if (floors !== 0) expect(state.level).toBe('high');
          });
        },
      ),
    );
  });
});
