import { describe, expect, it } from 'vitest';
import { AlarmState } from '../../shared/alarm/alarm-state.js';
import { calibrateAlarmPolicy, persistentPeak, type CalibrationTrace } from './alarm-calibration.js';

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

  it('never sets a threshold a fire could not reach', () => {
    const { policy } = calibrateAlarmPolicy([trace([1, 1, 1, 1])], 0.04);
    expect(policy.high.threshold).toBeLessThanOrEqual(0.98);
  });
});
