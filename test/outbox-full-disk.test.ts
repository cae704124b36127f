import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NewMessage, Priority } from '../edge/outbox/message.js';
import type { StorageState } from '../edge/outbox/outbox-storage.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { UnstoredMessages } from '../edge/outbox/unstored-messages.js';
import { createMessageIdGenerator } from '../edge/outbox/message-id.js';
import type { Publisher } from '../edge/outbox/publisher.js';
import { silentLogger } from '../shared/logging.js';
import { waitFor } from './helpers/wait.js';

/**
 * The outbox on a disk that fills up, on a real SQLite file. Where the test
 * machine cannot mount a small filesystem, a full disk is simulated at the
 * storage layer: while `diskFull()` holds, every commit that stores
 * messages fails with SQLite's SQLITE_FULL before writing
 * (test/edge-full-disk.test.ts fills a real one where it can).
 */
const folder = mkdtempSync(join(tmpdir(), 'emberwatch-full-disk-'));
const RESERVE = 256 * 1024;
let files = 0;
const open: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.stop();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function msg(priority: Priority, text: string): NewMessage {
  return {
    topic: `emberwatch/v1/gw-1/${priority === 'alarm' ? 'anomaly' : priority}`,
    payload: Buffer.from(text),
    priority,
  };
}

async function startOutbox(
  diskFull: () => boolean,
): Promise<{ outbox: SqliteOutbox; states: StorageState[] }> {
  const outbox = new SqliteOutbox({
    path: join(folder, `outbox-${String(files++)}.db`),
    logger: silentLogger(),
    reserveBytes: RESERVE,
    faults: { diskFull },
  });
  const states: StorageState[] = [];
  outbox.onStorageChange((state) => states.push(state));
  await outbox.start();
  open.push(outbox);
  return { outbox, states };
}

describe('SqliteOutbox when the disk fills up', () => {
  it('keeps a reserve of real bytes beside the database, and spends it on alarms, never on telemetry', async () => {
    let full = false;
    const path = join(folder, `outbox-${String(files)}.db`);
    const reservePath = `${path}-reserve`;
    // The simulated disk is full until the reserve is given up, as a real one would be.
    const { outbox, states } = await startOutbox(() => full && existsSync(reservePath));
    expect(statSync(reservePath).size).toBe(RESERVE);
    expect(
      readFileSync(reservePath)
        .subarray(0, 4096)
        .some((byte) => byte !== 0),
    ).toBe(true);
    expect(outbox.storage).toEqual({ reserveHeld: true, failure: undefined });

    full = true;
    await expect(outbox.enqueue(msg('telemetry', 't1'))).rejects.toMatchObject({
      code: 'EMBER_ERR_OUTBOX_WRITE',
    });
    expect(existsSync(reservePath)).toBe(true); // telemetry never spends the reserve
    expect(outbox.storage).toEqual({ reserveHeld: true, failure: 'SQLITE_FULL' });

    const [alarm, telemetry] = await Promise.allSettled([
      outbox.enqueue(msg('alarm', 'high')),
      outbox.enqueue(msg('telemetry', 't2')),
    ]);
    expect(alarm.status).toBe('fulfilled');
    expect(telemetry).toMatchObject({ status: 'rejected', reason: { code: 'EMBER_ERR_OUTBOX_FULL' } });
    expect(existsSync(reservePath)).toBe(false);
    expect(outbox.storage).toEqual({ reserveHeld: false, failure: undefined });
    await expect(outbox.enqueue(msg('anomaly', 'medium'))).resolves.toMatchObject({ priority: 'anomaly' });
    await expect(outbox.enqueue(msg('status', 's'))).rejects.toMatchObject({ code: 'EMBER_ERR_OUTBOX_FULL' });
    expect((await outbox.stats()).byPriority).toMatchObject({
      alarm: { messages: 1 },
      anomaly: { messages: 1 },
      telemetry: { messages: 0 },
    });

    // Space returns: the reserve is taken back within a few seconds, then everything is stored again.
    full = false;
    await waitFor('the reserve back', () => outbox.storage.reserveHeld, 5000);
    expect(statSync(reservePath).size).toBe(RESERVE);
    await expect(outbox.enqueue(msg('telemetry', 't3'))).resolves.toMatchObject({ priority: 'telemetry' });
    expect(states.map((s) => [s.reserveHeld, s.failure])).toEqual([
      [true, 'SQLITE_FULL'],
      [false, 'SQLITE_FULL'],
      [false, undefined],
      [true, undefined],
    ]);
  });

  it('when even the reserve cannot help, refuses the alarm as a write failure so its producer keeps it', async () => {
    let full = true;
    const { outbox } = await startOutbox(() => full);
    await expect(outbox.enqueue(msg('alarm', 'high'))).rejects.toMatchObject({
      code: 'EMBER_ERR_OUTBOX_WRITE',
      retryable: true,
    });
    expect(outbox.storage).toEqual({ reserveHeld: false, failure: 'SQLITE_FULL' });
    full = false;
    await expect(outbox.enqueue(msg('alarm', 'again'))).resolves.toMatchObject({ priority: 'alarm' });
    expect(outbox.storage.failure).toBeUndefined();
  });
});

/** A link the test switches on and off; it acknowledges every publish while on. */
class SwitchedLink implements Publisher {
  online = false;
  readonly published: { topic: string; text: string }[] = [];
  readonly #listeners = new Set<() => void>();
  publish(topic: string, payload: Buffer): Promise<void> {
    if (!this.online) return Promise.reject(new Error('offline'));
    this.published.push({ topic, text: payload.toString('utf8') });
    return Promise.resolve();
  }
  isOnline(): boolean {
    return this.online;
  }
  onOnline(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  goOnline(): void {
    this.online = true;
    for (const listener of this.#listeners) listener();
  }
}

describe('UnstoredMessages', () => {
  async function start(diskFull: () => boolean): Promise<{
    outbox: SqliteOutbox;
    link: SwitchedLink;
    hold: UnstoredMessages;
  }> {
    const { outbox } = await startOutbox(diskFull);
    const link = new SwitchedLink();
    const hold = new UnstoredMessages({
      outbox,
      publisher: link,
      logger: silentLogger(),
      nextId: createMessageIdGenerator(Date),
      retryMs: 100,
    });
    await hold.start();
    open.push(hold);
    return { outbox, link, hold };
  }

  it('publishes what the outbox refused directly once the link is up, alarms first', async () => {
    const { link, hold } = await start(() => true);
    hold.hold([msg('status', 'health-1')], { newestOnly: true });
    hold.hold([msg('anomaly', 'low')]);
    hold.hold([msg('status', 'health-2')], { newestOnly: true });
    hold.hold([msg('alarm', 'high')]);
    expect(hold.size).toBe(3); // the newer health replaced the older
    expect(hold.urgent).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 250)); // storing is retried, and fails
    expect(hold.size).toBe(3);
    link.goOnline();
    await waitFor('all published', () => hold.size === 0, 2000);
    expect(link.published.map((p) => p.text)).toEqual(['high', 'low', 'health-2']);
  });

  it('stores what it holds once the disk has room again, while the link is still down', async () => {
    let full = true;
    const { outbox, link, hold } = await start(() => full);
    hold.hold([msg('alarm', 'high'), msg('anomaly', 'medium')]);
    full = false;
    await waitFor('stored', () => hold.size === 0, 2000);
    expect(link.published).toEqual([]);
    expect((await outbox.stats()).byPriority).toMatchObject({
      alarm: { messages: 1 },
      anomaly: { messages: 1 },
    });
  });

  it('bounds its memory, dropping the least urgent first', async () => {
    const { outbox } = await startOutbox(() => true);
    const hold = new UnstoredMessages({
      outbox,
      publisher: new SwitchedLink(),
      logger: silentLogger(),
      nextId: createMessageIdGenerator(Date),
      maxBytes: 1000,
    });
    await hold.start();
    open.push(hold);
    const big = (priority: Priority, tag: string): NewMessage => msg(priority, tag.padEnd(300, '.'));
    hold.hold([big('alarm', 'a1'), big('status', 's1'), big('anomaly', 'n1'), big('alarm', 'a2')]);
    expect(hold.size).toBe(2);
    expect(hold.urgent).toBe(2);
  });
});
