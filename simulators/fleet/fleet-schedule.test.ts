import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { describeRun, planRun, planRuns } from './fleet-schedule.js';
import { fleetGateways, fleetZoneMap } from './fleet-zones.js';
import { GatewayTimeline } from './gateway-timeline.js';

const gateway = (index: number) => ({ id: `gw-${index + 1}`, index });

describe('the fleet schedule', () => {
  it('opens with an early flaming fire on the first gateway and nuisances or normal life elsewhere', () => {
    const first = planRun(1, gateway(0), 0, 0);
    expect(first).toMatchObject({ kind: 'fire', template: 'ul217-flaming-pu', ignitionS: 30 });
    expect(first.scenario.fire?.ignition_s).toBe(30);
    expect(first.durationS).toBeGreaterThan(30);
    const others = [1, 2, 3, 4].map((i) => planRun(1, gateway(i), 0, 0));
    expect(others.map((r) => r.template)).toEqual(['toast', 'shower', 'frying', 'normal-day']);
    expect(others.every((r) => r.kind !== 'fire' && r.ignitionS === null)).toBe(true);
    // The opening nuisance is moved early so that it shows within the first minute of emulated time.
    expect(Math.min(...(others[0]?.scenario.nuisances.map((n) => n.start_s) ?? []))).toBeLessThanOrEqual(20);
  });

  it('is the same for the same seed, differs for another, and places runs back to back', () => {
    const a = planRuns(7, gateway(1), 12);
    expect(planRuns(7, gateway(1), 12)).toEqual(a);
    expect(planRuns(8, gateway(1), 12).map((r) => r.seed)).not.toEqual(a.map((r) => r.seed));
    a.slice(1).forEach((run, i) => {
      const before = a[i];
      expect(run.startS).toBe((before?.startS ?? 0) + (before?.durationS ?? 0));
    });
    expect(new Set(a.map((r) => r.kind)).size).toBeGreaterThan(1);
  });

  it('keeps every fire ignition inside its run', () => {
    for (const run of planRuns(3, gateway(2), 40)) {
      if (run.kind === 'fire') {
        expect(run.ignitionS).not.toBeNull();
        expect(run.ignitionS ?? Infinity).toBeLessThan(run.durationS);
      } else expect(run.ignitionS).toBeNull();
    }
  });

  it('describes a run in one line', () => {
    expect(describeRun(planRun(1, gateway(0), 0, 0))).toBe(
      'gw-1 #0 fire ul217-flaming-pu (270 s, ignition at 30 s)',
    );
  });

  it('refuses a negative run index', () => {
    let error: unknown;
    try {
      planRun(1, gateway(0), -1, 0);
    } catch (e) {
      error = e;
    }
    expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION')).toBe(true);
  });
});

describe('a gateway timeline', () => {
  it('finds the run at any emulated second and plays the modules from it', () => {
    const timeline = new GatewayTimeline(1, { index: 0, id: 'gw-01', zone: 'east-wing' });
    const first = timeline.run(0);
    const second = timeline.run(1);
    expect(timeline.runAt(0).index).toBe(0);
    expect(timeline.runAt(first.durationS - 0.5).index).toBe(0);
    expect(timeline.runAt(second.startS + 1).index).toBe(1);
    expect(timeline.runAt(0).index).toBe(0);
    const co = timeline.source('ze07');
    expect(co.valueAt(-1)).toBeUndefined();
    expect(co.valueAt(second.startS + 5)).toHaveProperty('co_ppm');
  });
});

describe('fleet gateways and zones', () => {
  it('splits gateways into consecutive zones the cloud can use', () => {
    expect(fleetZoneMap(3)).toEqual({ 'east-wing': ['gw-01', 'gw-02'], 'west-wing': ['gw-03'] });
    expect(Object.keys(fleetZoneMap(10))).toEqual(['east-wing', 'west-wing', 'annex']);
    expect(fleetGateways(10).at(-1)).toEqual({ index: 9, id: 'gw-10', zone: 'annex' });
    for (const count of [0, 11, 2.5]) {
      let error: unknown;
      try {
        fleetGateways(count);
      } catch (e) {
        error = e;
      }
      expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION'), String(count)).toBe(true);
    }
  });
});
