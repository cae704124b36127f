import { describe, expect, it } from 'vitest';
import { SensorPlausibility } from './sensor-plausibility.js';

describe('SensorPlausibility', () => {
  it('reports a sensor turning faulty once, counts every implausible reading, and reports its recovery', () => {
    const sensors = new SensorPlausibility();
    expect(sensors.note('co', true)).toBeUndefined();
    expect(sensors.of('co')).toEqual({ count: 0, now: false });
    expect(sensors.note('co', false)).toBe('faulty');
    expect(sensors.note('co', false)).toBeUndefined();
    expect(sensors.note('pm', true)).toBeUndefined();
    expect(sensors.snapshot()).toEqual({ co: { count: 2, now: true } });
    expect(sensors.note('co', true)).toBe('recovered');
    expect(sensors.note('co', true)).toBeUndefined();
    expect(sensors.of('co')).toEqual({ count: 2, now: false });
    expect(sensors.note('co', false)).toBe('faulty');
    expect(sensors.of('co')).toEqual({ count: 3, now: true });
  });
});
