import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import type { TelemetryMessage } from '../../shared/schemas/messages.js';
import type { IngestHandlers } from './ingest-types.js';
import { MessageIntake } from './message-intake.js';
import { TelemetryDedupe } from './telemetry-dedupe.js';

const TOPIC = 'emberwatch/v1/gw-1/telemetry';

function stored(i: number, records = 1): TelemetryMessage {
  return {
    schemaVersion: 1,
    id: `stored-${String(i)}`,
    deviceId: 'gw-1',
    ts: 1000 + i,
    records: Array.from({ length: records }, (_, r) => ({
      ts: 1000 + i * 10 + r,
      probability: 0,
      level: 'none' as const,
      levels: { temp: 21 },
      steps: 1,
    })),
  };
}

function pack(id: string, messages: TelemetryMessage[]): Buffer {
  return Buffer.from(
    JSON.stringify({ schemaVersion: 1, kind: 'pack', id, deviceId: 'gw-1', ts: 5, messages }),
  );
}

function intakeWith(capacity?: number) {
  const handed: TelemetryMessage[] = [];
  const ignore = (): void => undefined;
  const handlers: IngestHandlers = {
    telemetry: (m) => void handed.push(m),
    anomaly: ignore,
    health: ignore,
    link: ignore,
    report: ignore,
  };
  const intake = new MessageIntake(
    { handlers, ...(capacity === undefined ? {} : { rememberedTelemetry: capacity }) },
    silentLogger(),
  );
  return { intake, handed };
}

describe('MessageIntake with telemetry packs', () => {
  it('hands on each stored message once, whether it came alone or packed, and repacked', async () => {
    const { intake, handed } = intakeWith();
    const all = Array.from({ length: 10 }, (_, i) => stored(i, 2));
    intake.accept(TOPIC, Buffer.from(JSON.stringify(all[0])));
    intake.accept(TOPIC, pack('p-1', all.slice(0, 4))); // 0 again, 1-3 new
    intake.accept(TOPIC, pack('p-2', all.slice(2, 7))); // a retry packed differently: 4-6 new
    intake.accept(TOPIC, pack('p-2', all.slice(2, 7))); // the same pack redelivered
    intake.accept(TOPIC, pack('p-3', all.slice(7)));
    intake.accept(TOPIC, Buffer.from(JSON.stringify(all[9])));
    await intake.drain();
    expect(handed.map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(intake.telemetry).toEqual({ records: 20, duplicates: 1 + 2 + 5 + 1 });
    expect(intake.received.telemetry).toBe(6);
  });

  it('refuses a pack naming another device, in itself or in any message, and hands none of it on', async () => {
    const { intake, handed } = intakeWith();
    const foreign = { ...stored(1), deviceId: 'gw-2' };
    intake.accept(TOPIC, pack('p-1', [stored(0), foreign]));
    const body = JSON.parse(pack('p-2', [stored(3), stored(4)]).toString()) as Record<string, unknown>;
    intake.accept(TOPIC, Buffer.from(JSON.stringify({ ...body, deviceId: 'gw-2' })));
    intake.accept(TOPIC, Buffer.from(JSON.stringify({ ...body, messages: [] })));
    await intake.drain();
    expect(handed).toEqual([]);
    expect(intake.invalid['device-mismatch']).toBe(2);
    expect(intake.invalid['bad-schema']).toBe(1);
  });
});

describe('TelemetryDedupe', () => {
  it('forgets the oldest ids beyond its capacity, per device', () => {
    const dedupe = new TelemetryDedupe(3);
    expect(['a', 'b', 'c'].map((id) => dedupe.firstTime('gw-1', id))).toEqual([true, true, true]);
    expect(dedupe.firstTime('gw-2', 'a')).toBe(true); // another device's id is another message
    expect(dedupe.size).toBe(3);
    expect(dedupe.firstTime('gw-1', 'a')).toBe(true); // forgotten
    expect(dedupe.firstTime('gw-1', 'c')).toBe(false);
  });
});
