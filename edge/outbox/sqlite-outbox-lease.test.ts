import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import type { NewMessage, Priority } from './message.js';
import { SqliteOutbox } from './sqlite-outbox.js';

const folder = mkdtempSync(join(tmpdir(), 'emberwatch-outbox-lease-'));
let files = 0;
const open: SqliteOutbox[] = [];

afterEach(async () => {
  for (const outbox of open.splice(0)) await outbox.stop();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function startOutbox(): Promise<SqliteOutbox> {
  const outbox = new SqliteOutbox({ path: join(folder, `outbox-${files++}.db`), logger: silentLogger() });
  await outbox.start();
  open.push(outbox);
  return outbox;
}

function msg(priority: Priority, text: string): NewMessage {
  return { topic: `emberwatch/v1/gw-1/${priority}`, payload: Buffer.from(text), priority };
}

async function texts(outbox: SqliteOutbox, max: number): Promise<string[]> {
  return (await outbox.lease(max)).map((m) => m.payload.toString());
}

describe('SqliteOutbox leases while draining a backlog', () => {
  it('hands out each row once, in order, across many small leases, acks and new rows', async () => {
    const outbox = await startOutbox();
    await outbox.enqueueMany(Array.from({ length: 10 }, (_, i) => msg('telemetry', `t${String(i)}`)));
    const first = await outbox.lease(4);
    await outbox.ack(first.slice(0, 2).map((m) => m.id));
    expect(await texts(outbox, 3)).toEqual(['t4', 't5', 't6']);
    await outbox.enqueue(msg('telemetry', 't10'));
    expect(await texts(outbox, 10)).toEqual(['t7', 't8', 't9', 't10']);
    expect(await texts(outbox, 10)).toEqual([]);
  });

  it('puts an alarm enqueued mid-drain ahead of the rest', async () => {
    const outbox = await startOutbox();
    await outbox.enqueueMany([msg('telemetry', 't0'), msg('telemetry', 't1'), msg('telemetry', 't2')]);
    expect(await texts(outbox, 1)).toEqual(['t0']);
    await outbox.enqueue(msg('alarm', 'a0'));
    expect(await texts(outbox, 2)).toEqual(['a0', 't1']);
  });

  it('gives a released or nacked message out again before later ones, and never twice at once', async () => {
    const outbox = await startOutbox();
    await outbox.enqueueMany(['s0', 's1', 's2', 's3'].map((t) => msg('status', t)));
    const [s0, s1] = await outbox.lease(2);
    await outbox.release([s0?.id ?? '']);
    expect(await texts(outbox, 1)).toEqual(['s0']);
    await outbox.nack([s1?.id ?? '']);
    expect(await texts(outbox, 10)).toEqual(['s1', 's2', 's3']);
    expect((await outbox.stats()).leased).toBe(4);
  });

  it('finds a row whose seq was reused after the table emptied', async () => {
    const outbox = await startOutbox();
    await outbox.enqueueMany([msg('telemetry', 't0'), msg('telemetry', 't1')]);
    const leased = await outbox.lease(2);
    expect(await outbox.ack(leased.map((m) => m.id))).toBe(2);
    await outbox.enqueue(msg('telemetry', 't2'));
    expect(await texts(outbox, 5)).toEqual(['t2']);
  });

  it('acks by the leased row and still deletes a message acked without a lease', async () => {
    const outbox = await startOutbox();
    const stored = await outbox.enqueueMany([msg('anomaly', 'n0'), msg('anomaly', 'n1')]);
    await outbox.lease(1);
    expect(await outbox.ack(stored.map((m) => m.id))).toBe(2);
    expect((await outbox.stats()).messages).toBe(0);
  });
});
