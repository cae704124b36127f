import { describe, expect, it } from 'vitest';
import { AlarmState } from '../../shared/alarm/alarm-state.js';
import {
  calibrateAlarmPolicy,
  persistentPeak,
  SUSTAINED_STEPS,
  type CalibrationTrace,
} from './alarm-calibration.js';

const trace = (p: number[], fire = false, ignitionS: number | null = null): CalibrationTrace => ({
  fireRun: fire,
  ignitionS,
  t: p.map((_, i) => i),
  p,
});

describe('alarm calibration', () => {
  it('measures the plateau a persistent alarm would see, not single spikes', () => {
    expect(persistentPeak([0.1, 0.99, 0.1, 0.5, 0.6, 0.55, 0.2], 3)).toBe(0.5);
    expect(persistentPeak([0.9, 0.9], 3)).toBe(0);
  });

  it('puts the high threshold above every quiet plateau, pre-ignition stretches included', () => {
    const traces = [
      trace([0.1, 0.2, 0.7, 0.7, 0.7, 0.2]),
      trace([0.05, 0.05, 0.05]),
      trace([0.6, 0.6, 0.6, 0.99, 0.99, 0.99], true, 3),
    ];
    const { policy, quietPeak } = calibrateAlarmPolicy(traces, 0.04);
    expect(quietPeak).toBe(0.7);
    expect(policy.high.threshold).toBeCloseTo(0.74, 6);
    expect(policy.medium.threshold).toBeLessThan(policy.high.threshold);
    expect(policy.low.threshold).toBeLessThan(policy.medium.threshold);
    for (const t of traces.slice(0, 2)) {
      const state = new AlarmState(policy);
      const levels = Array.from(t.p, (p, i) => state.update(i, p)?.level);
      expect(levels).not.toContain('high');
    }
    const fire = new AlarmState(policy);
    expect(Array.from(traces[2]?.p ?? [], (p, i) => fire.update(i, p)?.level)).toContain('high');
  });

  it('sets the sustained high rule above the longest quiet hold, and names the runs that set both', () => {
    const hold = (level: number, steps: number): number[] => new Array<number>(steps).fill(level);
    const traces = [
      { ...trace([...hold(0.1, 10), ...hold(0.9, 5), ...hold(0.1, 10)]), runId: 'spike' },
      { ...trace([...hold(0.6, SUSTAINED_STEPS + 5), 0.1]), runId: 'hover' },
      { ...trace([...hold(0.2, 100), ...hold(0.8, SUSTAINED_STEPS)], true, 100), runId: 'smoulder' },
      ...Array.from({ length: 5 }, () => trace(hold(0.05, 100))),
    ];
    const calibration = calibrateAlarmPolicy(traces, 0.04);
    expect(calibration).toMatchObject({ quietPeak: 0.9, quietPeakRun: 'spike' });
    expect(calibration.quietSustainedPeak).toBeCloseTo(0.6, 9);
    expect(calibration.quietSustainedPeakRun).toBe('hover');
    expect(calibration.policy.sustainedHigh).toEqual({ threshold: 0.64, raiseAfter: SUSTAINED_STEPS });
    const levels = (p: ArrayLike<number>): (string | undefined)[] => {
      const state = new AlarmState(calibration.policy);
      return Array.from(p, (v, i) => state.update(i, v)?.level);
    };
    expect(levels(traces[1]?.p ?? [])).not.toContain('high');
    // The smoulder never reaches the high threshold, but holds above the sustained one.
    expect(levels(traces[2]?.p ?? [])).toContain('high');
  });

  it('leaves the sustained rule out when it would sit at high anyway', () => {
    const { policy } = calibrateAlarmPolicy([trace(new Array<number>(100).fill(0.97))], 0.04);
    expect(policy.sustainedHigh).toBeUndefined();
  });

  it('never sets a threshold a fire could not reach', () => {
    const { policy } = calibrateAlarmPolicy([trace([1, 1, 1, 1])], 0.04);
    expect(policy.high.threshold).toBeLessThanOrEqual(0.98);
  });
});
