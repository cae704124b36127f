import { describe, expect, it } from 'vitest';
import { RECOVERED_AFTER, SensorPlausibility } from './sensor-plausibility.js';

describe('SensorPlausibility', () => {
  it('reports a sensor turning faulty once, counts every implausible reading, and reports its recovery', () => {
    const sensors = new SensorPlausibility();
    expect(sensors.note('co', true)).toBeUndefined();
    expect(sensors.of('co')).toEqual({ count: 0, now: false });
    expect(sensors.note('co', false)).toBe('faulty');
    expect(sensors.note('co', false)).toBeUndefined();
    expect(sensors.note('pm', true)).toBeUndefined();
    expect(sensors.snapshot()).toEqual({ co: { count: 2, now: true } });
    const after = Array.from({ length: RECOVERED_AFTER }, () => sensors.note('co', true));
    expect(after.filter((change) => change !== undefined)).toEqual(['recovered']);
    expect(after.at(-1)).toBe('recovered');
    expect(sensors.note('co', true)).toBeUndefined();
    expect(sensors.of('co')).toEqual({ count: 2, now: false });
    expect(sensors.note('co', false)).toBe('faulty');
    expect(sensors.of('co')).toEqual({ count: 3, now: true });
  });

  it('reports a loose wire that flips every reading once, and it stays faulty', () => {
    const sensors = new SensorPlausibility();
    const changes = Array.from({ length: 40 }, (_, i) => sensors.note('co', i % 2 === 1));
    expect(changes.filter((change) => change !== undefined)).toEqual(['faulty']);
    expect(sensors.of('co')).toEqual({ count: 20, now: true });
  });
});
