import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EmberError } from '../../shared/errors.js';
import { createLogger, silentLogger } from '../../shared/logging.js';
import { hex } from '../../shared/protocols/bytes.js';
import { mhz19b } from '../../shared/protocols/mhz19b.js';
import { pms5003 } from '../../shared/protocols/pms5003.js';
import { Reading, type ProtocolName } from '../../shared/schemas/readings.js';
import type { SerialLine, SerialLineEvents, SerialLineFactory } from './serial-line.js';
import { SerialSource, type SerialSourceOptions } from './serial-source.js';

class FakeLine extends EventEmitter<SerialLineEvents> implements SerialLine {
  readonly written: string[] = [];
  closed = false;
  constructor(
    readonly path: string,
    readonly baudRate: number,
  ) {
    super();
  }
  write(bytes: Uint8Array): Promise<void> {
    this.written.push(hex(bytes));
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Fails `failures` opens, then hands out fake lines. */
class FakeLines implements SerialLineFactory {
  readonly kind = 'fake';
  readonly lines: FakeLine[] = [];
  attempts = 0;
  constructor(public failures = 0) {}
  open({ path, baudRate }: { path: string; baudRate: number }): Promise<SerialLine> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(
        new EmberError('EMBER_ERR_SERIAL_OPEN', `cannot open ${path}: ENOENT`, { retryable: true }),
      );
    }
    const line = new FakeLine(path, baudRate);
    this.lines.push(line);
    return Promise.resolve(line);
  }
}

const PMS = pms5003.encode({
  pm1_cf1_ugm3: 1,
  pm25_cf1_ugm3: 2,
  pm10_cf1_ugm3: 3,
  pm1_ugm3: 4,
  pm25_ugm3: 5,
  pm10_ugm3: 6,
  n0_3_per_dl: 7,
  n0_5_per_dl: 8,
  n1_0_per_dl: 9,
  n2_5_per_dl: 10,
  n5_0_per_dl: 11,
  n10_per_dl: 12,
});

const sources: SerialSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function make<P extends ProtocolName>(
  protocol: P,
  lines: SerialLineFactory,
  extra: Partial<SerialSourceOptions<P>> = {},
): SerialSource<P> {
  const source = new SerialSource<P>({
    deviceId: 'gw',
    sensorId: 's1',
    protocol,
    path: '/dev/fake0',
    lines,
    logger: silentLogger(),
    backoff: { initialMs: 5, maxMs: 20 },
    clock: { now: () => 1_700_000_000_000.4 },
    ...extra,
  });
  sources.push(source as unknown as SerialSource);
  return source;
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SerialSource', () => {
  it('does no I/O before start()', () => {
    const lines = new FakeLines();
    make('pms5003', lines);
    expect(lines.attempts).toBe(0);
  });

  it('emits readings with ids, timestamp and top-level channels', async () => {
    const lines = new FakeLines();
    const source = make('pms5003', lines);
    const readings: Reading[] = [];
    source.on('reading', (r) => readings.push(r));
    await source.start();
    lines.lines[0]?.emit('data', PMS.subarray(0, 10));
    lines.lines[0]?.emit('data', PMS.subarray(10));
    expect(readings).toHaveLength(1);
    expect(Reading.parse(readings[0])).toMatchObject({
      deviceId: 'gw',
      sensorId: 's1',
      ts: 1_700_000_000_000,
      pm25_ugm3: 5,
    });
  });

  it('keeps retrying a port that cannot be opened, logging one warning, then counts the reconnect', async () => {
    const logged: string[] = [];
    const logger = createLogger({
      level: 'warn',
      pretty: false,
      destination: new Writable({
        write: (chunk: Buffer, _e, done) => (logged.push(chunk.toString()), done()),
      }),
    });
    const lines = new FakeLines(4);
    const source = make('pms5003', lines, { logger });
    const states: string[] = [];
    source.on('state', (s) => states.push(s));
    await source.start();
    while (source.state !== 'open') await tick(5);
    expect(lines.attempts).toBe(5);
    expect(states).toEqual(['opening', 'reconnecting', 'open']);
    expect(source.stats.reconnects).toBe(1);
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({
      path: '/dev/fake0',
      reason: expect.stringContaining('ENOENT') as string,
    });
  });

  it('reopens after the line closes under it, and flushes the partial frame as dropped', async () => {
    const lines = new FakeLines();
    const source = make('pms5003', lines);
    await source.start();
    lines.lines[0]?.emit('data', PMS.subarray(0, 12));
    lines.lines[0]?.emit('close', new Error('disconnected'));
    expect(source.state).toBe('reconnecting');
    expect(source.stats.droppedBytes).toBe(12);
    while (source.state !== 'open') await tick(5);
    expect(lines.lines).toHaveLength(2);
    expect(source.stats.reconnects).toBe(1);
  });

  it('polls the MH-Z19B on open and every interval', async () => {
    const lines = new FakeLines();
    const source = make('mhz19b', lines, { pollIntervalMs: 20 });
    const readings: Reading[] = [];
    source.on('reading', (r) => readings.push(r));
    await source.start();
    await tick(70);
    const line = lines.lines[0];
    expect(line?.written.length).toBeGreaterThanOrEqual(3);
    expect(new Set(line?.written)).toEqual(new Set(['ff0186000000000079']));
    line?.emit('data', mhz19b.encode({ co2_ppm: 800, sensor_temp_c: 30, status: 0 }));
    expect(readings[0]).toMatchObject({ co2_ppm: 800, sensor_temp_c: 30 });
  });

  it('stops retrying and closes on stop()', async () => {
    const lines = new FakeLines(1000);
    const source = make('ze07', lines);
    await source.start();
    await tick(30);
    await source.stop();
    const attempts = lines.attempts;
    await tick(50);
    expect(lines.attempts).toBe(attempts);
    expect(source.state).toBe('closed');
    await expect(source.send(new Uint8Array([1]))).rejects.toMatchObject({ code: 'EMBER_ERR_NOT_STARTED' });
  });

  it('survives a listener that throws', async () => {
    const lines = new FakeLines();
    const source = make('pms5003', lines);
    let calls = 0;
    source.on('reading', () => {
      calls++;
      throw new Error('listener bug');
    });
    await source.start();
    lines.lines[0]?.emit('data', PMS);
    lines.lines[0]?.emit('data', PMS);
    expect(calls).toBe(2);
  });

  it('never throws on arbitrary bytes and emits only valid readings', async () => {
    const lines = new FakeLines();
    const source = make('pms5003', lines);
    const readings: Reading[] = [];
    source.on('reading', (r) => readings.push(r));
    await source.start();
    const line = lines.lines[0];
    let total = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(PMS)), { maxLength: 20 }),
        (chunks) => {
          for (const chunk of chunks) {
            total += chunk.length;
            line?.emit('data', chunk);
          }
        },
      ),
    );
    expect(source.stats.bytesReceived).toBe(total);
    for (const reading of readings) expect(Reading.safeParse(reading).success).toBe(true);
    expect(readings.length).toBeGreaterThan(0);
  });
});
