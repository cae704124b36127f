import { describe, expect, it } from 'vitest';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import { simulateRun } from '../sensors/simulate-run.js';
import { decodeRunFiles, encodeRunFiles, runFileKey } from '../../shared/dataset/run-files.js';

describe('run files', () => {
  const trace = simulateRun(drawScenario('tf4', 7), { durationS: 240 });
  const meta = { runId: 'run-000001', index: 1, seed: 7, template: 'tf4', durationS: 240, thermalHz: 4 };
  const files = encodeRunFiles(trace, meta);

  it('round-trips every module, the labels and the truth exactly', () => {
    const back = decodeRunFiles(files);
    expect(back.meta.runId).toBe('run-000001');
    expect(back.meta.labels).toEqual(trace.labels);
    expect(back.trace.scenario).toEqual(trace.scenario);
    for (const protocol of ['pms5003', 'ze07', 'mhz19b', 'mcu680'] as const) {
      expect(back.trace.sensors[protocol]).toEqual(trace.sensors[protocol]);
    }
    const bytes = (a: Int16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    // Compare as bytes: element-wise deep equality of 10⁵-element arrays is needlessly slow.
    expect(
      bytes(back.trace.sensors.mcu90640.pixels_centi).equals(bytes(trace.sensors.mcu90640.pixels_centi)),
    ).toBe(true);
    expect(back.trace.sensors.mcu90640.t_s).toEqual(trace.sensors.mcu90640.t_s);
    expect(back.trace.sensors.mcu90640.ambient_centi).toEqual(trace.sensors.mcu90640.ambient_centi);
    expect(back.trace.env.temp_c[100]).toBeCloseTo(trace.env.temp_c[100] ?? Number.NaN, 4);
  });

  it('stores thermal frames compactly', () => {
    // Per-pixel sensor noise (a few tenths of a degree) bounds lossless compression near 2:1.
    const frames = trace.sensors.mcu90640.t_s.length;
    expect(files.get('thermal')?.length).toBeLessThan(frames * 1536 * 0.65);
  });

  it('names a missing or damaged file', () => {
    const missing = new Map(files);
    missing.delete('gas');
    expect(() => decodeRunFiles(missing)).toThrow(/gas file is missing/);
    const damaged = new Map(files);
    damaged.set('thermal', Buffer.from('not deflate at all'));
    expect(() => decodeRunFiles(damaged)).toThrow(/thermal file/);
    const badJson = new Map(files);
    badJson.set('environmental', Buffer.from('{"mcu680": 3}'));
    expect(() => decodeRunFiles(badJson)).toThrow(/environmental: mcu680/);
  });

  it('lays files out by stage and kind', () => {
    expect(runFileKey('raw', 'thermal', 'run-000001')).toBe('raw/thermal/run-000001.ewt');
    expect(runFileKey('validated', 'preview', 'run-000001')).toBe('validated/thermal/run-000001.png');
    expect(runFileKey('raw', 'gas', 'r')).toBe('raw/gas/r.json');
  });
});
