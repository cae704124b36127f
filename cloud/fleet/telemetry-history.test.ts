import { describe, expect, it } from 'vitest';
import { TelemetryHistory } from './telemetry-history.js';

const point = (ts: number) => ({ ts, probability: ts / 100, levels: { co: ts } });

describe('TelemetryHistory', () => {
  it('keeps the newest points in time order, merging late ones and replacing repeats', () => {
    const history = new TelemetryHistory(4);
    for (const ts of [10, 20, 40, 30, 20, 50]) history.add(point(ts));
    expect(history.since().map((p) => p.ts)).toEqual([20, 30, 40, 50]);
    history.add(point(5)); // older than a full history holds
    expect(history.size).toBe(4);
    expect(history.since(30).map((p) => p.ts)).toEqual([30, 40, 50]);
    expect(history.since(35).map((p) => p.ts)).toEqual([40, 50]);
    expect(history.since(99)).toEqual([]);
  });
});
