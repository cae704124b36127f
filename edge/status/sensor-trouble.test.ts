import { describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/schemas/readings.js';
import { SensorTroubleWatch, SILENT_TROUBLE_AFTER_S, STUCK_TROUBLE_AFTER_S } from './sensor-trouble.js';
import { TroubleBoard } from './trouble-board.js';

const env = (ts: number, pressure: number): Reading => ({
  deviceId: 'gw',
  sensorId: 'env',
  ts,
  outOfRange: [],
  protocol: 'mcu680',
  temp_c: 21,
  humidity_pct: 40,
  pressure_hpa: pressure,
  iaq: 25,
  iaq_accuracy: 3,
  gas_ohm: 150_000,
  altitude_m: 0,
});

const pm = (ts: number): Reading => ({
  deviceId: 'gw',
  sensorId: 'pm',
  ts,
  outOfRange: [],
  protocol: 'pms5003',
  pm1_cf1_ugm3: 0,
  pm25_cf1_ugm3: 0,
  pm10_cf1_ugm3: 0,
  pm1_ugm3: 0,
  pm25_ugm3: 0,
  pm10_ugm3: 0,
  n0_3_per_dl: 0,
  n0_5_per_dl: 0,
  n1_0_per_dl: 0,
  n2_5_per_dl: 0,
  n5_0_per_dl: 0,
  n10_per_dl: 0,
});

describe('SensorTroubleWatch', () => {
  it('calls a sensor silent after a minute without readings, from its last one, and clears it at the next', () => {
    const board = new TroubleBoard();
    const watch = new SensorTroubleWatch(board);
    const lines = [{ id: 'pm', protocol: 'pms5003', state: 'stale' as const }];
    watch.noteReading(pm(10_000), 10_000);
    watch.check(lines, 10_000 + SILENT_TROUBLE_AFTER_S * 1000 - 1);
    expect(board.list()).toEqual([]);
    watch.check(lines, 10_000 + SILENT_TROUBLE_AFTER_S * 1000);
    expect(board.list()).toMatchObject([{ kind: 'sensor-silent', source: 'pm', since: 10_000 }]);
    expect(board.list()[0]?.detail).toMatch(/pms5003 has sent nothing .* \(line stale\)/);
    watch.noteReading(pm(90_000), 90_000);
    expect(board.list()).toEqual([]);
  });

  it('counts a sensor that never sent anything from when the watch first heard of it; a closed line is not trouble', () => {
    const board = new TroubleBoard();
    const watch = new SensorTroubleWatch(board);
    watch.check([{ id: 'co', protocol: 'ze07', state: 'opening' }], 0);
    watch.check([{ id: 'co', protocol: 'ze07', state: 'reconnecting' }], SILENT_TROUBLE_AFTER_S * 1000);
    expect(board.list()).toMatchObject([{ kind: 'sensor-silent', source: 'co', since: 0 }]);
    const other = new TroubleBoard();
    new SensorTroubleWatch(other).check([{ id: 'co', protocol: 'ze07', state: 'closed' }], 10 * 60_000);
    expect(other.list()).toEqual([]);
  });

  it('calls a module stuck when its always-wobbling output has not moved for five minutes', () => {
    const board = new TroubleBoard();
    const watch = new SensorTroubleWatch(board);
    for (let s = 0; s <= STUCK_TROUBLE_AFTER_S; s += 3) watch.noteReading(env(s * 1000, 1013.25), s * 1000);
    expect(board.list()).toMatchObject([{ kind: 'sensor-stuck', source: 'env' }]);
    watch.noteReading(env(400_000, 1013.26), 400_000);
    expect(board.list()).toEqual([]);
  });

  it('never calls a particle counter stuck for reading zero in clean air', () => {
    const board = new TroubleBoard();
    const watch = new SensorTroubleWatch(board);
    for (let s = 0; s <= 3600; s++) watch.noteReading(pm(s * 1000), s * 1000);
    expect(board.list()).toEqual([]);
  });

  it('raises and clears implausible readings as the features judge them', () => {
    const board = new TroubleBoard();
    const watch = new SensorTroubleWatch(board);
    watch.notePlausibility('co', 'faulty', 'ze07', 5000);
    expect(board.list()).toMatchObject([{ kind: 'sensor-implausible', source: 'co', since: 5000 }]);
    watch.notePlausibility('co', 'recovered', 'ze07', 9000);
    expect(board.list()).toEqual([]);
  });
});
