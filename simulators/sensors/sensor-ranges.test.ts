import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelsByProtocol } from '../../shared/schemas/readings.js';
import { drawScenario, TEMPLATE_NAMES } from '../scenarios/scenario-catalogue.js';
import { simulateRun } from './simulate-run.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';

/** [min, max, step] per channel: the module's physical range and the frame's resolution. */
type Limits<V> = { [K in keyof V]?: readonly [number, number, number] };

const MASS = [0, 1000, 1] as const;
const COUNT = [0, 65535, 1] as const;
const LIMITS: { [P in Exclude<keyof ChannelsByProtocol, 'mcu90640'>]: Limits<ChannelsByProtocol[P]> } = {
  pms5003: {
    pm1_cf1_ugm3: MASS,
    pm25_cf1_ugm3: MASS,
    pm10_cf1_ugm3: MASS,
    pm1_ugm3: MASS,
    pm25_ugm3: MASS,
    pm10_ugm3: MASS,
    n0_3_per_dl: COUNT,
    n0_5_per_dl: COUNT,
    n1_0_per_dl: COUNT,
    n2_5_per_dl: COUNT,
    n5_0_per_dl: COUNT,
    n10_per_dl: COUNT,
  },
  ze07: { co_ppm: [0, 500, 0.1] },
  mhz19b: { co2_ppm: [0, 5000, 1], sensor_temp_c: [-20, 85, 1], status: [0, 255, 1] },
  mcu680: {
    temp_c: [-40, 85, 0.01],
    humidity_pct: [0, 100, 0.01],
    pressure_hpa: [300, 1100, 0.0001],
    iaq: [0, 500, 1],
    iaq_accuracy: [0, 3, 1],
    gas_ohm: [0, 2 ** 32 - 1, 1],
    altitude_m: [-32768, 32767, 1],
  },
};

/** Channels of `trace` outside their limits or off their resolution, as readable strings. */
function violations(trace: RunTrace): string[] {
  const bad: string[] = [];
  for (const protocol of ['pms5003', 'ze07', 'mhz19b', 'mcu680'] as const) {
    const limits: Record<string, readonly [number, number, number] | undefined> = LIMITS[protocol];
    for (const sample of trace.sensors[protocol].samples) {
      for (const [name, value] of Object.entries<number>(sample.values)) {
        const [min, max, step] = limits[name] ?? [NaN, NaN, 1];
        const onGrid = Math.abs(value / step - Math.round(value / step)) < 1e-6;
        if (!(value >= min && value <= max && onGrid)) bad.push(`${protocol}.${name}=${value}`);
      }
    }
  }
  const { pixels_centi, ambient_centi } = trace.sensors.mcu90640;
  for (const v of pixels_centi) if (v < -4000 || v > 30000) bad.push(`mcu90640.pixel=${v}`);
  for (const v of ambient_centi) if (v < -4000 || v > 30000) bad.push(`mcu90640.ambient=${v}`);
  return bad;
}

describe('sensor models stay within what the modules and their frames can carry', () => {
  it('for any template, seed and fault mix', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATE_NAMES), fc.nat(), fc.boolean(), (name, seed, faults) => {
        const s = drawScenario(name, seed, { faultProbability: faults ? 1 : 0 });
        const trace = simulateRun(s, { durationS: Math.min(s.suggested_duration_s, 900), thermalHz: 0.5 });
        expect(violations(trace)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('saturates the particle counter in dense smoke, as the real module does', () => {
    const s = drawScenario('tf4', 1, { faultProbability: 0 });
    const trace = simulateRun(s, { durationS: s.suggested_duration_s, thermalHz: 0.5 });
    const pm25 = trace.sensors.pms5003.samples.map((x) => x.values.pm25_ugm3);
    expect(Math.max(...pm25)).toBe(1000);
    expect(violations(trace)).toEqual([]);
  });

  it('reads shower droplets as coarse PM with high humidity and no CO', () => {
    const s = drawScenario('shower', 4, { faultProbability: 0 });
    const trace = simulateRun(s, { thermalHz: 0.5 });
    const pms = trace.sensors.pms5003.samples;
    const baseline = pms[0]?.values.pm10_ugm3 ?? 0;
    expect(Math.max(...pms.map((x) => x.values.pm10_ugm3))).toBeGreaterThan(baseline + 50);
    expect(Math.max(...trace.sensors.mcu680.samples.map((x) => x.values.humidity_pct))).toBeGreaterThan(80);
    expect(Math.max(...trace.sensors.ze07.samples.map((x) => x.values.co_ppm))).toBeLessThan(5);
  });
});
