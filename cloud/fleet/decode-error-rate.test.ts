import { describe, expect, it } from 'vitest';
import { decodeErrorRate, type DecodeCounters } from './decode-error-rate.js';

function counters(uptimeS: number, sensors: Record<string, [number, number]>): DecodeCounters {
  return {
    uptimeS,
    sensors: Object.fromEntries(
      Object.entries(sensors).map(([id, [frames, checksumErrors]]) => [id, { frames, checksumErrors }]),
    ),
  };
}

describe('decodeErrorRate', () => {
  it('differences the counters of consecutive messages across every sensor', () => {
    const before = counters(60, { pms: [1000, 10], co: [500, 0] });
    const after = counters(120, { pms: [1900, 20], co: [990, 10] });
    // 20 errors over 1390 valid + 20 failed frames.
    expect(decodeErrorRate(before, after).rate).toBeCloseTo((1000 * 20) / 1410, 6);
  });

  it('takes the counters whole after the agent restarted (smaller uptime or a counter going down)', () => {
    const before = counters(600, { pms: [50_000, 500] });
    expect(decodeErrorRate(before, counters(30, { pms: [95, 5] })).rate).toBe(50);
    expect(decodeErrorRate(counters(600, { pms: [50_000, 500] }), counters(700, { pms: [95, 5] })).rate).toBe(
      50,
    );
  });

  it('uses the counters since the agent started for the first message', () => {
    expect(decodeErrorRate(undefined, counters(10, { pms: [990, 10] })).rate).toBe(10);
  });

  it('is zero without frames, and counts a sensor that appears as new', () => {
    expect(decodeErrorRate(counters(1, {}), counters(2, {})).rate).toBe(0);
    const before = counters(60, { pms: [100, 0] });
    expect(decodeErrorRate(before, counters(90, { pms: [100, 0], cam: [90, 10] })).rate).toBe(100);
  });
});
