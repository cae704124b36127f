import { describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { RecentAnomalies, type RecentAnomaly } from './recent-anomalies.js';

function entry(deviceId: string, ts: number, deviceLevel: AlarmLevel, zone = 'hall'): RecentAnomaly {
  return { deviceId, zone, ts, messageTs: ts - 5, deviceLevel, level: deviceLevel, probability: 0.5 };
}

describe('RecentAnomalies', () => {
  it('keeps the newest per device in device-clock order, dropping the oldest and the expired', () => {
    const recent = new RecentAnomalies(3, 10_000);
    for (const ts of [1000, 3000, 2000, 4000]) recent.add(entry('gw-1', ts, 'low'));
    expect(recent.device('gw-1', 0).map((a) => a.ts)).toEqual([2000, 3000, 4000]);
    recent.add(entry('gw-1', 20_000, 'medium'));
    expect(recent.device('gw-1', 0).map((a) => a.ts)).toEqual([20_000]);
    expect(recent.device('gw-1', 20_000)).toEqual([]);
    expect(recent.device('gw-9', 0)).toEqual([]);
  });

  it('gives each other zone mate its highest level since the time asked, leaving out none', () => {
    const recent = new RecentAnomalies(10, 60_000);
    recent.add(entry('gw-2', 1000, 'high'));
    recent.add(entry('gw-2', 5000, 'low'));
    recent.add(entry('gw-2', 6000, 'medium'));
    recent.add(entry('gw-3', 6000, 'none'));
    recent.add(entry('gw-4', 6000, 'high', 'attic'));
    recent.add(entry('gw-1', 6000, 'high'));
    expect(recent.zone('hall', 2000, 'gw-1')).toEqual([{ deviceId: 'gw-2', level: 'medium', ts: 6000 }]);
    expect(recent.zone('hall', 0, 'gw-1')).toEqual([{ deviceId: 'gw-2', level: 'high', ts: 6000 }]);
  });
});
