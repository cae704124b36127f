import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import type { Scenario, SensorFault } from '../../shared/dataset/scenario-schema.js';
import { thermalFrame, traceValueSource } from '../../shared/dataset/run-trace.js';
import { simulateRun } from './simulate-run.js';

const fault = (patch: Partial<SensorFault> & Pick<SensorFault, 'sensor' | 'kind'>): SensorFault => ({
  start_s: 100,
  end_s: 200,
  drift_per_hour: 0,
  dropout_probability: 0.5,
  ...patch,
});
const quiet = (template: string, seed: number, faults: SensorFault[] = []): Scenario => ({
  ...drawScenario(template, seed, { faultProbability: 0 }),
  faults,
});

describe('simulateRun', () => {
  it('is reproducible from the scenario and differs between seeds', () => {
    const s = drawScenario('tf4', 21);
    const a = simulateRun(s, { durationS: 300, thermalHz: 1 });
    expect(simulateRun(s, { durationS: 300, thermalHz: 1 })).toEqual(a);
    const b = simulateRun(drawScenario('tf4', 22), { durationS: 300, thermalHz: 1 });
    expect(b.sensors.mcu90640.pixels_centi).not.toEqual(a.sensors.mcu90640.pixels_centi);
    expect(b.sensors.pms5003.samples).not.toEqual(a.sensors.pms5003.samples);
  });

  it('reports at each module’s own rate and stores 32 × 24 thermal frames compactly', () => {
    const trace = simulateRun(quiet('normal-day', 1), { durationS: 120, thermalHz: 8, mhz19bPeriodS: 4 });
    expect(trace.sensors.pms5003.samples).toHaveLength(121);
    expect(trace.sensors.ze07.samples).toHaveLength(121);
    expect(trace.sensors.mhz19b.samples).toHaveLength(31);
    expect(trace.sensors.mcu680.samples).toHaveLength(41);
    const th = trace.sensors.mcu90640;
    expect(th.t_s).toHaveLength(961);
    expect(th.pixels_centi).toHaveLength(961 * 768);
    const frame = thermalFrame(th, 5);
    expect(frame.width).toBe(32);
    expect(frame.height).toBe(24);
    expect(frame.pixels_c).toHaveLength(768);
    expect(trace.env.length).toBe(121);
  });

  it.each([
    ['space-heater', 50],
    ['tf6', 80],
  ])('shows the hot source of a %s run as a hotspot well above the room', (template, minimumC) => {
    const s = quiet(template, 2);
    const t = s.fire ? s.fire.ignition_s + 120 : 900;
    // Aim the camera straight at the source so the check does not depend on the drawn aim.
    const target = s.fire?.position ?? s.nuisances[0]?.position ?? s.sensor_position;
    const dx = target.x_m - s.camera.position.x_m;
    const dy = target.y_m - s.camera.position.y_m;
    const dz = target.z_m + 0.2 - s.camera.position.z_m;
    const camera = {
      ...s.camera,
      yaw_deg: (Math.atan2(dy, dx) * 180) / Math.PI,
      pitch_deg: (Math.atan2(dz, Math.hypot(dx, dy)) * 180) / Math.PI,
    };
    const trace = simulateRun({ ...s, camera }, { durationS: t, thermalHz: 1 });
    const frame = traceValueSource(trace, 'mcu90640').valueAt(t);
    const pixels = [...(frame?.pixels_c ?? [])].sort((a, b) => a - b);
    const median = pixels[384] ?? 0;
    expect(pixels[767] ?? 0).toBeGreaterThan(minimumC);
    expect((pixels[767] ?? 0) - median).toBeGreaterThan(20);
  });

  it('rejects an unsupported thermal rate with a coded error', () => {
    const s = quiet('normal-day', 1);
    try {
      simulateRun(s, { thermalHz: 3 as 4 });
      expect.unreachable();
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION')).toBe(true);
    }
  });
});

describe('faults and the value source', () => {
  it('goes silent during a disconnect and holds each report for its slot otherwise', () => {
    const trace = simulateRun(quiet('normal-day', 3, [fault({ sensor: 'ze07', kind: 'disconnect' })]), {
      durationS: 300,
      thermalHz: 1,
    });
    const co = traceValueSource(trace, 'ze07');
    expect(co.valueAt(50.5)).toEqual(trace.sensors.ze07.samples[50]?.values);
    expect(co.valueAt(99.9)).toBeDefined();
    expect(co.valueAt(100)).toBeUndefined();
    expect(co.valueAt(199.5)).toBeUndefined();
    expect(co.valueAt(200)).toBeDefined();
    expect(co.valueAt(-1)).toBeUndefined();
    expect(trace.sensors.ze07.samples).toHaveLength(301 - 100);
  });

  it('freezes a stuck module, pins a saturated one at full scale, and drops samples on dropout', () => {
    const trace = simulateRun(
      quiet('normal-day', 3, [
        fault({ sensor: 'mhz19b', kind: 'stuck' }),
        fault({ sensor: 'ze07', kind: 'saturation' }),
        fault({ sensor: 'pms5003', kind: 'dropout', dropout_probability: 0.5 }),
        fault({ sensor: 'mcu90640', kind: 'stuck' }),
      ]),
      { durationS: 300, thermalHz: 1 },
    );
    const co2 = trace.sensors.mhz19b.samples.filter((x) => x.t_s >= 100 && x.t_s < 200).map((x) => x.values);
    expect(new Set(co2.map((v) => JSON.stringify(v))).size).toBe(1);
    const co = trace.sensors.ze07.samples.filter((x) => x.t_s >= 100 && x.t_s < 200);
    expect(co.every((x) => x.values.co_ppm === 500)).toBe(true);
    const pms = trace.sensors.pms5003.samples.filter((x) => x.t_s >= 100 && x.t_s < 200);
    expect(pms.length).toBeGreaterThan(20);
    expect(pms.length).toBeLessThan(80);
    const thermal = traceValueSource(trace, 'mcu90640');
    expect(thermal.valueAt(150)).toEqual(thermal.valueAt(120));
    expect(thermal.valueAt(250)).not.toEqual(thermal.valueAt(251));
  });

  it('drifts the main channel by the given rate', () => {
    const drift = fault({ sensor: 'mcu680', kind: 'drift', start_s: 0, end_s: 3600, drift_per_hour: 36 });
    const base = simulateRun(quiet('normal-night', 5), { durationS: 600, thermalHz: 0.5 });
    const drifted = simulateRun(quiet('normal-night', 5, [drift]), { durationS: 600, thermalHz: 0.5 });
    const at = (t: typeof base) => traceValueSource(t, 'mcu680').valueAt(600)?.temp_c ?? NaN;
    expect(at(drifted) - at(base)).toBeCloseTo(6, 1);
  });
});
