import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logging.js';
import { constantSource } from '../simulators/devices/value-source.js';
import { ptyAdapter, type SerialTestAdapter } from './helpers/serial-adapters.js';
import { startPair, type SerialPair } from './helpers/serial-pair.js';
import { waitFor } from './helpers/wait.js';

/** Faults on a real pseudo-terminal: the edge must count them and keep reading. */
describe('serial faults on a pty', () => {
  let adapter: SerialTestAdapter;
  let pair: SerialPair<'pms5003'> | undefined;
  const values = {
    pm1_cf1_ugm3: 8,
    pm25_cf1_ugm3: 21,
    pm10_cf1_ugm3: 30,
    pm1_ugm3: 8,
    pm25_ugm3: 20,
    pm10_ugm3: 29,
    n0_3_per_dl: 1500,
    n0_5_per_dl: 400,
    n1_0_per_dl: 60,
    n2_5_per_dl: 9,
    n5_0_per_dl: 3,
    n10_per_dl: 1,
  };

  beforeAll(async () => {
    adapter = await ptyAdapter();
  });
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });
  afterAll(async () => {
    await adapter.close();
  });

  async function startPms(
    options: Parameters<typeof startPair<'pms5003'>>[2] = {},
  ): Promise<SerialPair<'pms5003'>> {
    pair = await startPair(adapter, 'pms5003', { values: constantSource(values), speed: 20, ...options });
    await waitFor('first readings', () => pair !== undefined && pair.readings.length >= 2);
    return pair;
  }

  it('survives unplug and replug: one warning, reconnecting, readings resume on the same path', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      pretty: false,
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const p = await startPms({ logger });
    const path = p.emulator.line.hostPath;
    const unplugged = p.emulator.inject({ kind: 'disconnect', seconds: 20 });
    await waitFor('reconnecting', () => p.source.state === 'reconnecting');
    const before = p.readings.length;
    await unplugged;
    await waitFor('open again', () => p.source.state === 'open', 5000);
    await waitFor('readings after replug', () => p.readings.length >= before + 3);
    expect(p.emulator.line.hostPath).toBe(path);
    expect(p.source.stats.reconnects).toBe(1);
    expect(p.states).toEqual(['opening', 'open', 'reconnecting', 'open']);
    expect(p.readings.at(-1)?.pm25_ugm3).toBe(20);
    const warnings = lines.map((line) => JSON.parse(line) as { msg: string; path?: string; reason?: string });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path });
    expect(warnings[0]?.msg).toMatch(/lost; reconnecting/);
    expect(warnings[0]?.reason).toBeTruthy();
  });

  it('counts a bad checksum and keeps reading', async () => {
    const p = await startPms();
    await p.emulator.inject({ kind: 'bad-checksum' });
    const after = p.readings.length;
    await waitFor('checksum error counted', () => p.source.stats.checksumErrors === 1);
    await waitFor('readings after the bad frame', () => p.readings.length >= after + 3);
    expect(p.source.stats.droppedBytes).toBeGreaterThan(0);
  });

  it('counts a truncated frame and keeps reading', async () => {
    const p = await startPms();
    await p.emulator.inject({ kind: 'truncated-frame' });
    const after = p.readings.length;
    await waitFor('readings after the truncated frame', () => p.readings.length >= after + 3);
    expect(p.source.stats.droppedBytes).toBeGreaterThanOrEqual(16);
    expect(p.source.stats.checksumErrors).toBeGreaterThanOrEqual(1);
    expect(p.readings.every((r) => r.pm25_ugm3 === 20)).toBe(true);
  });

  it('skips garbage between frames and keeps reading', async () => {
    const p = await startPms();
    await p.emulator.inject({ kind: 'garbage', bytes: 200 });
    const after = p.readings.length;
    await waitFor('readings after garbage', () => p.readings.length >= after + 3);
    expect(p.source.stats.droppedBytes).toBeGreaterThanOrEqual(150);
    expect(p.readings.every((r) => r.pm25_ugm3 === 20)).toBe(true);
  });

  it('takes a flood of random bytes without crashing, and reads on', async () => {
    const p = await startPms();
    for (let i = 0; i < 40; i++) await p.emulator.inject({ kind: 'garbage', bytes: 1024 });
    const after = p.readings.length;
    await waitFor('readings after the flood', () => p.readings.length >= after + 3);
    expect(p.source.state).toBe('open');
    expect(p.source.stats.droppedBytes).toBeGreaterThan(30_000);
    expect(p.source.stats.bytesReceived).toBeGreaterThan(40 * 1024);
  });

  it('reports a silent line as stale and fresh again when frames return', async () => {
    const p = await startPms({ sourceOptions: { staleAfterMs: 300 } });
    const silence = p.emulator.inject({ kind: 'silence', seconds: 20 });
    await waitFor('stale', () => p.source.state === 'stale', 3000);
    await silence;
    await waitFor('open again', () => p.source.state === 'open', 3000);
    expect(p.states).toEqual(['opening', 'open', 'stale', 'open']);
  });
});
