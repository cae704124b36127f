import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { describeRun, planRun, planRuns, RUN_LEAD_IN_S } from './fleet-schedule.js';
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

  it('plays every run after the opening in the same room climate and sensors, its events after a lead-in', () => {
    const runs = planRuns(1, gateway(1), 6);
    const [opening, ...later] = runs;
    expect(opening?.leadInS).toBe(0);
    for (const run of later) {
      expect(run.leadInS).toBe(RUN_LEAD_IN_S);
      expect(run.scenario.seed).toBe(opening?.scenario.seed);
      const { start_hour: hour, ...climate } = run.scenario.background;
      const { start_hour: openingHour, ...openingClimate } = opening?.scenario.background ?? {
        start_hour: 0,
      };
      expect(climate).toEqual(openingClimate);
      expect(hour).toBeCloseTo((openingHour + run.startS / 3600) % 24, 9);
      const starts = [
        ...run.scenario.nuisances.map((n) => n.start_s),
        run.scenario.fire?.ignition_s ?? Infinity,
      ];
      expect(Math.min(...starts)).toBeGreaterThanOrEqual(RUN_LEAD_IN_S);
      if (run.kind === 'fire') expect(run.scenario.fire?.ignition_s).toBe(run.ignitionS);
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

  it('hands one run over to the next without a jump in any module', () => {
    const timeline = new GatewayTimeline(1, { index: 1, id: 'gw-02', zone: 'east-wing' });
    const boundary = timeline.run(1).startS;
    const co2 = timeline.source('mhz19b');
    const air = timeline.source('mcu680');
    const camera = timeline.source('mcu90640');
    const hottest = (t: number) => Math.max(...(camera.valueAt(t)?.pixels_c ?? [Number.NaN]));
    // The toast run ends with a hot toaster in view; it cools over the lead-in instead of vanishing.
    expect(hottest(boundary - 1)).toBeGreaterThan(100);
    for (let t = boundary - 5; t < boundary + RUN_LEAD_IN_S + 5; t++) {
      const step = (a: number | undefined, b: number | undefined) => Math.abs((b ?? NaN) - (a ?? NaN));
      expect(step(co2.valueAt(t)?.co2_ppm, co2.valueAt(t + 1)?.co2_ppm), `CO2 at ${t}`).toBeLessThan(25);
      expect(step(air.valueAt(t)?.temp_c, air.valueAt(t + 1)?.temp_c), `temp at ${t}`).toBeLessThan(0.3);
    }
    for (let t = boundary - 5; t < boundary + 5; t++) {
      const step = Math.abs(hottest(t + 1) - hottest(t));
      expect(step, `camera at ${t}`).toBeLessThan(5);
    }
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
