import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES, type ProtocolName, type Reading } from '../schemas/readings.js';
import { detectionSeries as featureSeries } from '../detection/detection-front-end.js';
import { FeatureExtractor } from './feature-extractor.js';
import { FEATURE_NAMES, FEATURES, maskAbsentProtocols } from './feature-set.js';

const base = { deviceId: 'd1', sensorId: 's', outOfRange: [] };

function frame(ts: number, hot: { x: number; y: number; c: number } | undefined): Reading {
  const pixels = new Array<number>(768).fill(21);
  if (hot !== undefined) {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) pixels[(hot.y + dy) * 32 + hot.x + dx] = hot.c;
  }
  return { ...base, ts, protocol: 'mcu90640', width: 32, height: 24, pixels_c: pixels, ambient_c: 25 };
}

/** One second of a full kit, with temperature rising `rise` °C per second and a hotspot at `hot`. */
function kitSecond(t: number, rise = 0, hot?: { x: number; y: number; c: number }): Reading[] {
  const ts = t * 1000;
  return [
    {
      ...base,
      ts,
      protocol: 'pms5003',
      pm1_cf1_ugm3: 3,
      pm25_cf1_ugm3: 5,
      pm10_cf1_ugm3: 8,
      pm1_ugm3: 3,
      pm25_ugm3: 5 + t,
      pm10_ugm3: 8 + t,
      n0_3_per_dl: 500,
      n0_5_per_dl: 200,
      n1_0_per_dl: 50,
      n2_5_per_dl: 5,
      n5_0_per_dl: 1,
      n10_per_dl: 0,
    },
    { ...base, ts, protocol: 'ze07', co_ppm: 1.5 },
    { ...base, ts, protocol: 'mhz19b', co2_ppm: 600, sensor_temp_c: 25, status: 0 },
    {
      ...base,
      ts,
      protocol: 'mcu680',
      temp_c: 21 + rise * t,
      humidity_pct: 45,
      pressure_hpa: 1013,
      iaq: 50,
      iaq_accuracy: 3,
      gas_ohm: 100000,
      altitude_m: 10,
    },
    frame(ts, hot),
  ];
}

const index = (name: string) => FEATURE_NAMES.indexOf(name);

describe('FeatureExtractor', () => {
  it('gives a vector in the published order, every feature finite with a full kit after a minute', () => {
    const readings = Array.from({ length: 80 }, (_, t) => kitSecond(t, 0.1, { x: 10, y: 10, c: 90 })).flat();
    const { vectors } = featureSeries(readings, 0, 79_000);
    const last = vectors.at(-1);
    expect(last).toHaveLength(FEATURE_NAMES.length);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    const missing = FEATURE_NAMES.filter((_, i) => !Number.isFinite(last?.[i]));
    expect(missing).toEqual([]);
  });

  it('measures slopes per second and deviations from the learned baseline', () => {
    const readings = Array.from({ length: 120 }, (_, t) => kitSecond(t, 0.5)).flat();
    const { vectors } = featureSeries(readings, 0, 119_000);
    const last = vectors.at(-1) ?? new Float32Array();
    expect(last[index('temp_level')]).toBeCloseTo(21 + 0.5 * 119, 3);
    expect(last[index('temp_d10')]).toBeCloseTo(0.5, 5);
    expect(last[index('temp_d60')]).toBeCloseTo(0.5, 5);
    // Under five minutes in, the long slope spans all the history there is.
    expect(last[index('temp_d300')]).toBeCloseTo(0.5, 5);
    expect(vectors[59]?.[index('temp_d300')]).toBeNaN();
    expect(last[index('temp_dev')]).toBeGreaterThan(20);
    expect(last[index('co_dev')]).toBeCloseTo(0, 6);
  });

  it('marks a module missing once its readings go stale, and only its features', () => {
    const readings = Array.from({ length: 30 }, (_, t) => kitSecond(t)).flat();
    const withoutCo = readings.filter((r) => r.protocol !== 'ze07' || r.ts < 10_000);
    const { vectors } = featureSeries(withoutCo, 0, 29_000);
    const at = (t: number, name: string) => vectors[t]?.[index(name)];
    expect(at(12, 'co_level')).toBe(1.5);
    expect(at(20, 'co_level')).toBeNaN();
    expect(at(20, 'co_per_smoke')).toBeNaN();
    expect(at(20, 'pm25_level')).toBeCloseTo(Math.log1p(25), 5);
  });

  it('treats a reading that jumps faster than its module can respond as a fault until the output moves', () => {
    const readings = Array.from({ length: 40 }, (_, t) => kitSecond(t)).flat();
    // The CO cell pins at full scale from 10 s to 20 s, then reads normally again.
    const pinned = readings.map((r) =>
      r.protocol === 'ze07' && r.ts >= 10_000 && r.ts < 20_000 ? { ...r, co_ppm: 500 } : r,
    );
    const { vectors } = featureSeries(pinned, 0, 39_000);
    const at = (t: number, name: string) => vectors[t]?.[index(name)];
    expect(at(9, 'co_level')).toBe(1.5);
    expect(at(10, 'co_level')).toBeNaN();
    expect(at(19, 'co_level')).toBeNaN();
    expect(at(19, 'co_per_smoke')).toBeNaN();
    expect(at(19, 'pm25_level')).toBeCloseTo(Math.log1p(24), 5);
    expect(at(20, 'co_level')).toBe(1.5);
    // push says which readings it judged implausible, for the agent to report.
    const extractor = new FeatureExtractor();
    const co = (ts: number, ppm: number): Reading => ({ ...base, ts, protocol: 'ze07', co_ppm: ppm });
    expect([0, 1, 2, 3].map((s) => extractor.push(co(s * 1000, s === 0 || s === 3 ? 1.5 : 500)))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    // A steep but possible climb is believed.
    const climbing = readings.map((r) =>
      r.protocol === 'ze07' ? { ...r, co_ppm: 1.5 + 20 * (r.ts / 1000) } : r,
    );
    expect(featureSeries(climbing, 0, 39_000).vectors[39]?.[index('co_level')]).toBeCloseTo(781.5, 3);
  });

  it('gives a module that starts late its long slope a minute after its first reading', () => {
    const readings = Array.from({ length: 200 }, (_, t) => kitSecond(t, 0.5))
      .flat()
      .filter((r) => r.protocol !== 'mcu680' || r.ts >= 20_000);
    const { vectors } = featureSeries(readings, 0, 199_000);
    expect(vectors[79]?.[index('temp_d300')]).toBeNaN();
    expect(vectors[80]?.[index('temp_d300')]).toBeCloseTo(0.5, 5);
    expect(vectors[199]?.[index('temp_d300')]).toBeCloseTo(0.5, 5);
  });

  it('drops a saturated thermal frame and a particle count no aerosol can give', () => {
    const readings = Array.from({ length: 20 }, (_, t) => kitSecond(t)).flat();
    const broken = readings.map((r) => {
      if (r.ts < 10_000) return r;
      if (r.protocol === 'mcu90640') return { ...r, pixels_c: new Array<number>(768).fill(300) };
      if (r.protocol === 'pms5003') return { ...r, n0_3_per_dl: 65535, n10_per_dl: 65535, pm25_ugm3: 1000 };
      return r;
    });
    const last = featureSeries(broken, 0, 19_000).vectors.at(-1) ?? new Float32Array();
    for (const name of [
      'tmax_level',
      'tmedian_level',
      'thermal_motion10',
      'pm25_level',
      'n0_3_level',
      'pm_size_1_0',
    ]) {
      expect([name, last[index(name)]]).toEqual([name, Number.NaN]);
    }
    expect(last[index('co_level')]).toBe(1.5);
    // push says so, and a camera whose frames come back to life is trusted again.
    const extractor = new FeatureExtractor();
    const verdicts = [...broken, ...readings.map((r) => ({ ...r, ts: r.ts + 20_000 }))]
      .filter((r) => r.protocol === 'mcu90640' || r.protocol === 'pms5003')
      .map((r) => [r.protocol, r.ts, extractor.push(r)] as const);
    const judged = (protocol: string, ts: number) =>
      verdicts.find((v) => v[0] === protocol && v[1] === ts)?.[2];
    expect([judged('mcu90640', 9_000), judged('mcu90640', 10_000), judged('mcu90640', 19_000)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([judged('pms5003', 10_000), judged('mcu90640', 20_000), judged('pms5003', 20_000)]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('masking protocols equals running a kit that lacks them', () => {
    const readings = Array.from({ length: 40 }, (_, t) =>
      kitSecond(t, 0.2, { x: 5 + (t % 7), y: 8, c: 70 }),
    ).flat();
    fc.assert(
      fc.property(fc.subarray([...PROTOCOL_NAMES]), (absentList) => {
        const absent = new Set<ProtocolName>(absentList);
        const full = featureSeries(readings, 0, 39_000).vectors;
        const partial = featureSeries(
          readings.filter((r) => !absent.has(r.protocol)),
          0,
          39_000,
        ).vectors;
        full.forEach((vector, t) => expect(maskAbsentProtocols(vector, absent)).toEqual(partial[t]));
      }),
      { numRuns: 32 },
    );
  });

  it('sees a wandering warm body move and a fire stay put', () => {
    const walk = Array.from({ length: 25 }, (_, t) => kitSecond(t, 0, { x: 2 + t, y: 12, c: 34 })).flat();
    const fire = Array.from({ length: 25 }, (_, t) =>
      kitSecond(t, 0, { x: 16, y: 12, c: 40 + 5 * t }),
    ).flat();
    const motion = (readings: Reading[]) =>
      featureSeries(readings, 0, 24_000).vectors.at(-1)?.[index('thermal_motion10')];
    expect(motion(walk)).toBeCloseTo(10, 0);
    expect(motion(fire)).toBeCloseTo(0, 3);
  });

  it('is deterministic: the same calls give the same vectors, however readings are batched', () => {
    const readings = Array.from({ length: 20 }, (_, t) => kitSecond(t, 0.3, { x: 9, y: 9, c: 60 })).flat();
    const offline = featureSeries(readings, 0, 19_000).vectors;
    const online = new FeatureExtractor();
    const got: Float32Array[] = [];
    for (let t = 0; t < 20; t++) {
      for (const r of readings.filter((r) => r.ts === t * 1000)) online.push(r);
      got.push(online.step(t * 1000));
    }
    expect(got).toEqual(offline);
    expect(FEATURES.every((f) => f.requires.length > 0)).toBe(true);
  });
});
