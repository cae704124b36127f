import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { MAX_PAYLOAD_BYTES } from './message.js';
import { TelemetryMessage } from '../../shared/schemas/messages.js';
import { packTelemetry, telemetryMessages } from './telemetry-batch.js';

const record = fc.record({
  sensor: fc.string({ maxLength: 12 }),
  ts: fc.integer({ min: 0 }),
  values: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 20 }),
  note: fc.string({ unit: 'binary', maxLength: 200 }),
});

describe('packTelemetry', () => {
  it('packs records into JSON arrays under the cap, whole and in order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 300 }),
        fc.integer({ min: 900, max: 8000 }),
        (records, cap) => {
          const payloads = packTelemetry(records, cap);
          for (const p of payloads) expect(p.length).toBeLessThanOrEqual(cap);
          const unpacked = payloads.flatMap((p) => JSON.parse(p.toString()) as unknown[]);
          expect(unpacked).toEqual(JSON.parse(JSON.stringify(records)));
          // Greedy packing: no payload could have taken the first record of the next one.
          for (let i = 0; i + 1 < payloads.length; i++) {
            const nextFirst = (JSON.parse(payloads[i + 1]?.toString() ?? '[]') as unknown[])[0];
            expect(
              (payloads[i]?.length ?? 0) + 1 + Buffer.byteLength(JSON.stringify(nextFirst)),
            ).toBeGreaterThan(cap);
          }
        },
      ),
    );
  });

  it('fills 128 KB payloads with many small records by default', () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({
      sensor: 'pms5003',
      ts: i,
      pm25: 12.5,
      pm10: 20.1,
    }));
    const payloads = packTelemetry(records);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(payloads[0]?.length).toBeGreaterThan(MAX_PAYLOAD_BYTES - 100);
  });

  it('packs a record of exactly the cap alone, and refuses one byte more with a coded error', () => {
    const fits = 'x'.repeat(1000 - 4); // ["…"] adds four bytes
    expect(packTelemetry([fits], 1000).map((p) => p.length)).toEqual([1000]);
    let caught: unknown;
    try {
      packTelemetry(['small', `${fits}y`], 1000);
    } catch (error) {
      caught = error;
    }
    expect(isEmberError(caught, 'EMBER_ERR_OUTBOX_RECORD_TOO_LARGE')).toBe(true);
  });

  it('returns no payload for no records', () => {
    expect(packTelemetry([])).toEqual([]);
  });
});

describe('telemetryMessages', () => {
  const records = Array.from({ length: 2000 }, (_, i) => ({
    ts: 1_700_000_000_000 + i * 1000,
    probability: 0.25,
    level: 'none' as const,
    levels: Object.fromEntries(Array.from({ length: 12 }, (_, c) => [`channel_${c}`, c * 1.5])),
    steps: 10,
  }));

  it('wraps each packed batch in an envelope the message schema accepts, under the payload cap', () => {
    let n = 0;
    const messages = telemetryMessages(records, {
      deviceId: 'gw-7',
      ts: 1_700_000_123_456,
      topic: 'emberwatch/v1/gw-7/telemetry',
      nextId: () => `id-${++n}`,
    });
    expect(messages.length).toBeGreaterThan(1);
    const parsed = messages.map((m) => TelemetryMessage.parse(JSON.parse(m.payload.toString())));
    expect(parsed.map((m) => m.id)).toEqual(messages.map((_, i) => `id-${i + 1}`));
    expect(new Set(parsed.map((m) => `${m.deviceId} ${m.ts}`))).toEqual(new Set(['gw-7 1700000123456']));
    expect(parsed.flatMap((m) => m.records)).toEqual(records);
    for (const m of messages) {
      expect(m).toMatchObject({ topic: 'emberwatch/v1/gw-7/telemetry', priority: 'telemetry' });
      expect(m.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    }
  });
});
