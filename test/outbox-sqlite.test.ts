import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../shared/errors.js';
import { silentLogger } from '../shared/logging.js';
import type { NewMessage, Priority } from '../edge/outbox/message.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';

const folder = mkdtempSync(join(tmpdir(), 'emberwatch-outbox-sqlite-'));
let files = 0;
const open: SqliteOutbox[] = [];

afterEach(async () => {
  for (const outbox of open.splice(0)) await outbox.stop();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function freshPath(): string {
  return join(folder, `outbox-${files++}.db`);
}

async function startOutbox(path: string, quotaBytes?: number): Promise<SqliteOutbox> {
  const outbox = new SqliteOutbox({
    path,
    logger: silentLogger(),
    ...(quotaBytes === undefined ? {} : { quotaBytes }),
  });
  await outbox.start();
  open.push(outbox);
  return outbox;
}

function msg(priority: Priority, text: string): NewMessage {
  return { topic: `emberwatch/v1/gw-1/${priority}`, payload: Buffer.from(text), priority };
}

function rowsSeenByAnotherConnection(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM outbox_message').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SqliteOutbox on a real file', () => {
  it('has committed a message before its enqueue resolves, and not before it was called', async () => {
    const path = freshPath();
    const outbox = await startOutbox(path);
    const pending = outbox.enqueue(msg('alarm', 'a'));
    expect(rowsSeenByAnotherConnection(path)).toBe(0);
    await pending;
    expect(rowsSeenByAnotherConnection(path)).toBe(1);
  });

  it('commits the enqueues of one tick together: 1000 enqueues, one transaction', async () => {
    const outbox = await startOutbox(freshPath());
    const before = outbox.commitCount;
    await Promise.all(Array.from({ length: 1000 }, (_, i) => outbox.enqueue(msg('telemetry', `t${i}`))));
    expect(outbox.commitCount - before).toBe(1);
    expect((await outbox.stats()).messages).toBe(1000);
  });

  it('keeps messages, order, attempts and byte counts across a restart', async () => {
    const path = freshPath();
    const first = await startOutbox(path);
    await first.enqueueMany([msg('telemetry', 't1'), msg('alarm', 'a1'), msg('telemetry', 't2')]);
    const [alarm] = await first.lease(1);
    await first.nack([alarm?.id ?? '']);
    const statsBefore = await first.stats();
    await first.stop();

    const second = await startOutbox(path);
    const stats = await second.stats();
    expect(stats.messages).toBe(3);
    expect(stats.byPriority).toEqual(statsBefore.byPriority);
    const leased = await second.lease(10);
    expect(leased.map((m) => [m.payload.toString(), m.attempts])).toEqual([
      ['a1', 1],
      ['t1', 0],
      ['t2', 0],
    ]);
  });

  it('opens in WAL mode at the current schema version', async () => {
    const path = freshPath();
    await startOutbox(path);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by newer software with EMBER_ERR_OUTBOX_OPEN', async () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    const outbox = new SqliteOutbox({ path, logger: silentLogger() });
    await expect(outbox.start()).rejects.toSatisfy((e) => isEmberError(e, 'EMBER_ERR_OUTBOX_OPEN'));
  });

  it('rejects a whole failed group commit with EMBER_ERR_OUTBOX_WRITE and leaves its counters untouched', async () => {
    const path = freshPath();
    const outbox = await startOutbox(path);
    await outbox.enqueue(msg('alarm', 'kept'));
    // Another connection makes every insert fail, as a full disk or I/O error would.
    const saboteur = new Database(path);
    saboteur.exec(
      "CREATE TRIGGER fail_insert BEFORE INSERT ON outbox_message BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END",
    );
    const results = await Promise.allSettled([
      outbox.enqueue(msg('alarm', 'x')),
      outbox.enqueue(msg('telemetry', 'y')),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') {
        expect(isEmberError(result.reason, 'EMBER_ERR_OUTBOX_WRITE')).toBe(true);
        expect((result.reason as { retryable: boolean }).retryable).toBe(true);
      }
    }
    expect((await outbox.stats()).messages).toBe(1);
    saboteur.exec('DROP TRIGGER fail_insert');
    saboteur.close();
    await outbox.enqueue(msg('alarm', 'after'));
    expect((await outbox.stats()).messages).toBe(2);
  });

  it('commits writes still pending when stop() is called', async () => {
    const path = freshPath();
    const outbox = new SqliteOutbox({ path, logger: silentLogger(), commitWindowMs: 500 });
    await outbox.start();
    const pending = outbox.enqueue(msg('anomaly', 'late'));
    await outbox.stop();
    await expect(pending).resolves.toMatchObject({ priority: 'anomaly' });
    expect(rowsSeenByAnotherConnection(path)).toBe(1);
  });
});
