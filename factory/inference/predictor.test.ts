import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { isEmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import type { Reading } from '../../shared/schemas/readings.js';
import { modelPolicy, Predictor } from './predictor.js';

function environment(ts: number, tempC: number): Reading {
  return {
    protocol: 'mcu680',
    deviceId: 'gw-1',
    sensorId: 'env',
    ts,
    outOfRange: [],
    temp_c: tempC,
    humidity_pct: 40,
    pressure_hpa: 1013,
    iaq: 50,
    iaq_accuracy: 3,
    gas_ohm: 50_000,
    altitude_m: 0,
  };
}

/** One reading a second for `seconds`, temperature from `temp(t)`. */
function window(seconds: number, temp: (t: number) => number): Reading[] {
  return Array.from({ length: seconds + 1 }, (_, t) => environment(1_000_000 + t * 1000, temp(t)));
}

/** A model that answers `p(step)` whatever the features are. */
function scripted(p: (step: number) => number, seen: Float32Array[] = []): FireModel {
  return {
    version: 'scripted-1',
    featureNames: FEATURE_NAMES,
    predict: (vectors) => {
      seen.push(...vectors);
      return Promise.resolve(Float32Array.from(vectors, (_, i) => p(i)));
    },
    close: () => Promise.resolve(),
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('Predictor', () => {
  it('steps once a second over the window and runs the alarm logic over every step', async () => {
    const seen: Float32Array[] = [];
    const predictor = new Predictor({ model: () => scripted((i) => (i >= 20 ? 0.95 : 0.1), seen) });
    const result = await predictor.predict(window(30, () => 21));
    expect(result.steps).toBe(31);
    expect(seen).toHaveLength(31);
    expect(result.probability).toBeCloseTo(0.95, 5);
    expect(result.maxProbability).toBeCloseTo(0.95, 5);
    expect(result.level).toBe('high');
    expect(result.class).toBe('fire');
    expect(result.modelVersion).toBe('scripted-1');
    expect(Object.keys(result.features)).toEqual(FEATURE_NAMES);
    expect(result.features['temp_level']).toBeCloseTo(21, 5);
    expect(result.features['pm25_level']).toBeNull();
  });

  it('a spike too short for the persistence rule raises nothing', async () => {
    const predictor = new Predictor({ model: () => scripted((i) => (i === 25 || i === 26 ? 0.99 : 0)) });
    const result = await predictor.predict(window(30, () => 21));
    expect(result.maxProbability).toBeCloseTo(0.99, 5);
    expect(result.probability).toBe(0);
    expect(result.level).toBe('none');
    expect(result.class).toBe('no-fire');
  });

  it('the rules see a fast heat rise that a steady room does not have', async () => {
    const predictor = new Predictor({ model: () => new RuleModel() });
    const steady = await predictor.predict(window(90, () => 21));
    const rising = await predictor.predict(window(90, (t) => (t < 30 ? 21 : 21 + (t - 30) * 0.6)));
    expect(steady.probability).toBe(0);
    expect(rising.maxProbability).toBeGreaterThan(0.5);
  });

  it('refuses windows that are too short, too long or out of order, naming where', async () => {
    const predictor = new Predictor({ model: () => new RuleModel(), minSpanMs: 10_000, maxSpanMs: 60_000 });
    const short = await failure(predictor.predict(window(5, () => 21)));
    expect(isEmberError(short, 'EMBER_ERR_PREDICT')).toBe(true);
    expect((short as Error).message).toMatch(/at least 10000 ms/);
    const long = await failure(predictor.predict(window(61, () => 21)));
    expect((long as Error).message).toMatch(/at most 60000 ms/);
    const readings = window(20, () => 21);
    [readings[3], readings[4]] = [readings[4] ?? environment(0, 0), readings[3] ?? environment(0, 0)];
    const unordered = await failure(predictor.predict(readings));
    expect(isEmberError(unordered, 'EMBER_ERR_PREDICT')).toBe(true);
    expect((unordered as Error).message).toMatch(/^readings\.4\.ts/);
    expect(isEmberError(await failure(predictor.predict([])), 'EMBER_ERR_PREDICT')).toBe(true);
  });

  it('uses the rules the default policy and a trained model its manifest policy', () => {
    expect(modelPolicy(new RuleModel())).toBe(DEFAULT_ALARM_POLICY);
    const policy = { ...DEFAULT_ALARM_POLICY, hysteresis: 0.2 };
    const withManifest = Object.assign(
      scripted(() => 0),
      { manifest: { alarm: policy } },
    );
    expect(modelPolicy(withManifest)).toBe(policy);
  });
});
