import { describe, expect, it } from 'vitest';
import { TelemetryMessage, TelemetryPack } from '../../shared/schemas/messages.js';
import { TelemetryPacker } from './backlog-packer.js';
import { MAX_PAYLOAD_BYTES, type OutboxMessage, type Priority } from './message.js';

let seq = 0;

function telemetry(device: string, i: number, padding = 0): OutboxMessage {
  const body: TelemetryMessage = {
    schemaVersion: 1,
    id: `m-${device}-${String(i)}`,
    deviceId: device,
    ts: 1_700_000_000_000 + i * 1000,
    records: [{ ts: 1_700_000_000_000 + i * 1000, probability: 0.01, level: 'none', levels: {}, steps: 1 }],
  };
  const json = JSON.stringify(body);
  const payload = Buffer.from(padding > 0 ? `${json.slice(0, -1)},"pad":"${'x'.repeat(padding)}"}` : json);
  return stored(`emberwatch/v1/${device}/telemetry`, payload, 'telemetry');
}

function stored(topic: string, payload: Buffer, priority: Priority): OutboxMessage {
  seq++;
  return { id: `row-${String(seq)}`, topic, payload, priority, createdAt: 0, attempts: 0 };
}

function packOf(payload: Buffer): TelemetryPack {
  return TelemetryPack.parse(JSON.parse(payload.toString('utf8')));
}

describe('TelemetryPacker', () => {
  it('publishes a lone stored message exactly as stored', () => {
    const one = telemetry('gw-1', 0);
    const groups = new TelemetryPacker().pack([one]);
    expect(groups).toEqual([{ topic: one.topic, payload: one.payload, ids: [one.id] }]);
  });

  it('packs a run of one device telemetry in stored order, each message unchanged', () => {
    const run = Array.from({ length: 40 }, (_, i) => telemetry('gw-1', i));
    const groups = new TelemetryPacker({ clock: { now: () => 1_800_000_000_000 } }).pack(run);
    expect(groups).toHaveLength(1);
    const group = groups[0];
    expect(group?.topic).toBe('emberwatch/v1/gw-1/telemetry');
    expect(group?.ids).toEqual(run.map((m) => m.id));
    const pack = packOf(group?.payload ?? Buffer.alloc(0));
    expect(pack).toMatchObject({ kind: 'pack', deviceId: 'gw-1', ts: 1_800_000_000_000 });
    expect(pack.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(pack.messages).toEqual(run.map((m) => JSON.parse(m.payload.toString()) as unknown));
  });

  it('keeps every pack under the cap, splitting a long run into several in order', () => {
    const run = Array.from({ length: 60 }, (_, i) => telemetry('gw-1', i, 300));
    const cap = 4096;
    const groups = new TelemetryPacker({ maxBytes: cap }).pack(run);
    expect(groups.length).toBeGreaterThan(5);
    for (const group of groups) expect(group.payload.length).toBeLessThanOrEqual(cap);
    // Greedy: each pack but the last was closed because the next message would not fit.
    for (const group of groups.slice(0, -1)) expect(group.payload.length).toBeGreaterThan(cap - 600);
    expect(groups.flatMap((g) => g.ids)).toEqual(run.map((m) => m.id));
    const innerOf = (g: { ids: readonly string[]; payload: Buffer }): string[] =>
      g.ids.length > 1
        ? packOf(g.payload).messages.map((m) => m.id)
        : [(JSON.parse(g.payload.toString()) as { id: string }).id];
    expect(groups.flatMap(innerOf)).toEqual(run.map((_, i) => `m-gw-1-${String(i)}`));
  });

  it('stays under the device payload limit by default with 1 Hz records', () => {
    const run = Array.from({ length: 2000 }, (_, i) => telemetry('gw-1', i, 400));
    const packer = new TelemetryPacker();
    const groups = packer.pack(run);
    for (const group of groups) expect(group.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(groups.length).toBeLessThan(run.length / 50);
  });

  it('never packs alarms, anomalies or status, nor merges telemetry across them or across devices', () => {
    const alarm = stored('emberwatch/v1/gw-1/anomaly', Buffer.from('{"a":1}'), 'alarm');
    const anomaly = stored('emberwatch/v1/gw-1/anomaly', Buffer.from('{"a":2}'), 'anomaly');
    const status = stored('emberwatch/v1/gw-1/status', Buffer.from('{"s":1}'), 'status');
    const t = Array.from({ length: 6 }, (_, i) => telemetry(i < 4 ? 'gw-1' : 'gw-2', i));
    const groups = new TelemetryPacker().pack(
      [alarm, anomaly, status, t[0], t[1], status, t[2], t[3], t[4], t[5]].filter((m) => m !== undefined),
    );
    expect(groups.map((g) => g.ids.length)).toEqual([1, 1, 1, 2, 1, 2, 2]);
    expect(groups[0]?.payload).toBe(alarm.payload);
    expect(groups[2]?.payload).toBe(status.payload);
    expect(groups[6]?.topic).toBe('emberwatch/v1/gw-2/telemetry');
  });

  it('sends alone what is not a JSON object or would not fit a pack by itself', () => {
    const odd = stored('emberwatch/v1/gw-1/telemetry', Buffer.from('[1,2]'), 'telemetry');
    const big = telemetry('gw-1', 9, 5000);
    const groups = new TelemetryPacker({ maxBytes: 5000 }).pack([
      telemetry('gw-1', 1),
      odd,
      big,
      telemetry('gw-1', 2),
    ]);
    expect(groups.map((g) => g.ids.length)).toEqual([1, 1, 1, 1]);
    expect(groups[1]?.payload).toBe(odd.payload);
    expect(groups[2]?.payload).toBe(big.payload);
  });

  it('holds at most maxMessages in one pack', () => {
    const run = Array.from({ length: 25 }, (_, i) => telemetry('gw-1', i));
    const groups = new TelemetryPacker({ maxMessages: 10 }).pack(run);
    expect(groups.map((g) => g.ids.length)).toEqual([10, 10, 5]);
  });

  it('leases about what fills its packs, from the sizes it has seen', () => {
    const packer = new TelemetryPacker({ maxBytes: 10_000 });
    packer.pack(Array.from({ length: 200 }, (_, i) => telemetry('gw-1', i, 800)));
    const perPublish = packer.rowsFor(1);
    expect(perPublish).toBeGreaterThanOrEqual(9);
    expect(perPublish).toBeLessThanOrEqual(11);
    expect(packer.rowsFor(5)).toBe(5 * perPublish);
  });
});
