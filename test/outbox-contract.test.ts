import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isEmberError } from '../shared/errors.js';
import { silentLogger } from '../shared/logging.js';
import { MemoryOutbox } from '../edge/outbox/memory-outbox.js';
import {
  MAX_PAYLOAD_BYTES,
  PRIORITIES,
  storedBytes,
  type NewMessage,
  type Priority,
} from '../edge/outbox/message.js';
import type { Outbox } from '../edge/outbox/outbox.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';

/** What every store gets from the suite: limits and a clock it must honour. */
interface OutboxFactoryOptions {
  readonly quotaBytes?: number;
  readonly hardCeilingBytes?: number;
  readonly clock?: { now(): number };
}

type OutboxFactory = (options?: OutboxFactoryOptions) => Outbox;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function msg(priority: Priority, text: string, size = 0): NewMessage {
  const payload = size > 0 ? Buffer.alloc(size, text.charCodeAt(0)) : Buffer.from(text);
  return { topic: `emberwatch/v1/gw-1/${priority}`, payload, priority };
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isEmberError(error) ? error.code : `not an EmberError: ${String(error)}`;
  }
  return 'resolved';
}

/**
 * The abstract suite every Outbox implementation must pass (after MQTT.js's
 * abstract store tests). Each test starts its own outbox from `create`.
 */
function describeOutboxContract(name: string, create: OutboxFactory, propertyRuns: number): void {
  describe(`Outbox contract: ${name}`, () => {
    async function started(options?: OutboxFactoryOptions): Promise<Outbox> {
      const outbox = create(options);
      await outbox.start();
      return outbox;
    }

    it('stores a message and returns it with a UUIDv7 id, its creation time and no attempts', async () => {
      const outbox = await started({ clock: { now: () => 1_700_000_000_000 } });
      const stored = await outbox.enqueue(msg('alarm', 'fire'));
      expect(stored.id).toMatch(UUID_V7);
      expect(stored.createdAt).toBe(1_700_000_000_000);
      expect(stored.attempts).toBe(0);
      const [leased] = await outbox.lease(1);
      expect(leased?.id).toBe(stored.id);
      expect(leased?.payload.toString()).toBe('fire');
      expect(leased?.topic).toBe('emberwatch/v1/gw-1/alarm');
      await outbox.stop();
    });

    it('drains by priority, then first in first out within a priority', async () => {
      const outbox = await started();
      const order: [Priority, string][] = [
        ['telemetry', 't1'],
        ['status', 's1'],
        ['alarm', 'a1'],
        ['anomaly', 'n1'],
        ['telemetry', 't2'],
        ['alarm', 'a2'],
        ['status', 's2'],
      ];
      for (const [priority, text] of order) await outbox.enqueue(msg(priority, text));
      const leased = await outbox.lease(100);
      expect(leased.map((m) => m.payload.toString())).toEqual(['a1', 'a2', 'n1', 's1', 's2', 't1', 't2']);
      await outbox.stop();
    });

    it('keeps enqueue order within a priority when many enqueues are in flight at once', async () => {
      const outbox = await started();
      const texts = Array.from({ length: 300 }, (_, i) => `m${i}`);
      await Promise.all(texts.map((t) => outbox.enqueue(msg('telemetry', t))));
      expect((await outbox.lease(1000)).map((m) => m.payload.toString())).toEqual(texts);
      await outbox.stop();
    });

    it('never leases a message twice while the first lease holds', async () => {
      const outbox = await started();
      await outbox.enqueueMany(['a', 'b', 'c', 'd'].map((t) => msg('status', t)));
      const first = await outbox.lease(2);
      const second = await outbox.lease(10);
      expect(first.map((m) => m.payload.toString())).toEqual(['a', 'b']);
      expect(second.map((m) => m.payload.toString())).toEqual(['c', 'd']);
      expect(await outbox.lease(10)).toEqual([]);
      expect((await outbox.stats()).leased).toBe(4);
      await outbox.stop();
    });

    it('deletes acked messages for good and ignores unknown ids', async () => {
      const outbox = await started();
      const [a, b] = await outbox.enqueueMany([msg('anomaly', 'a'), msg('anomaly', 'b')]);
      await outbox.lease(2);
      expect(await outbox.ack([a?.id ?? '', 'not-an-id'])).toBe(1);
      const stats = await outbox.stats();
      expect(stats.messages).toBe(1);
      expect(stats.leased).toBe(1);
      await outbox.release([b?.id ?? '']);
      expect((await outbox.lease(5)).map((m) => m.id)).toEqual([b?.id]);
      await outbox.stop();
    });

    it('puts a nacked message back at the head of its priority with one more attempt', async () => {
      const outbox = await started();
      await outbox.enqueueMany([msg('telemetry', 'first'), msg('telemetry', 'second')]);
      const [first] = await outbox.lease(1);
      await outbox.nack([first?.id ?? '']);
      const again = await outbox.lease(2);
      expect(again.map((m) => [m.payload.toString(), m.attempts])).toEqual([
        ['first', 1],
        ['second', 0],
      ]);
      await outbox.release(again.map((m) => m.id));
      expect((await outbox.lease(1))[0]?.attempts).toBe(1);
      await outbox.stop();
    });

    it('stores enqueueMany all or nothing', async () => {
      const outbox = await started({ quotaBytes: 2000, hardCeilingBytes: 2000 });
      const tooMuch = [msg('telemetry', 'x', 900), msg('telemetry', 'y', 900), msg('telemetry', 'z', 900)];
      expect(await errorCodeOf(outbox.enqueueMany(tooMuch))).toBe('EMBER_ERR_OUTBOX_FULL');
      expect((await outbox.stats()).messages).toBe(0);
      expect(await outbox.enqueueMany([])).toEqual([]);
      await outbox.stop();
    });

    it('reports depth, bytes and the age of the oldest message per priority', async () => {
      let now = 1_000_000;
      const outbox = await started({ clock: { now: () => now } });
      await outbox.enqueue(msg('telemetry', 'old'));
      now += 5000;
      const alarm = msg('alarm', 'new');
      await outbox.enqueue(alarm);
      now += 1000;
      const stats = await outbox.stats();
      expect(stats.messages).toBe(2);
      expect(stats.byPriority.alarm).toEqual({
        messages: 1,
        bytes: storedBytes(alarm),
        oldestCreatedAt: 1_005_000,
        evicted: 0,
      });
      expect(stats.byPriority.telemetry.oldestCreatedAt).toBe(1_000_000);
      expect(stats.byPriority.status.messages).toBe(0);
      expect(stats.oldestAgeMs).toBe(6000);
      await outbox.stop();
    });

    it('evicts the oldest telemetry, then status, to make room, and never an alarm or anomaly', async () => {
      const outbox = await started({ quotaBytes: 4 * (500 + 200) });
      await outbox.enqueue(msg('telemetry', 't', 500));
      await outbox.enqueue(msg('status', 's', 500));
      await outbox.enqueue(msg('alarm', 'a', 500));
      await outbox.enqueue(msg('telemetry', 'u', 500));
      await outbox.enqueue(msg('anomaly', 'n', 500)); // evicts t
      await outbox.enqueue(msg('anomaly', 'o', 500)); // evicts u (telemetry before status)
      await outbox.enqueue(msg('alarm', 'b', 500)); // evicts s
      const left = (await outbox.lease(100)).map((m) => m.payload.toString('latin1', 0, 1));
      expect(left).toEqual(['a', 'b', 'n', 'o']);
      const stats = await outbox.stats();
      expect([stats.byPriority.telemetry.evicted, stats.byPriority.status.evicted]).toEqual([2, 1]);
      expect([stats.byPriority.alarm.evicted, stats.byPriority.anomaly.evicted]).toEqual([0, 0]);
      await outbox.stop();
    });

    it('refuses telemetry when alarms fill the quota, keeps taking alarms up to the hard ceiling', async () => {
      const each = storedBytes(msg('anomaly', 'n', 1000)); // the longer topic of the two
      const outbox = await started({ quotaBytes: 2 * each, hardCeilingBytes: 4 * each });
      await outbox.enqueue(msg('alarm', 'a', 1000));
      await outbox.enqueue(msg('anomaly', 'n', 1000));
      expect(await errorCodeOf(outbox.enqueue(msg('telemetry', 't', 1000)))).toBe('EMBER_ERR_OUTBOX_FULL');
      expect(await errorCodeOf(outbox.enqueue(msg('status', 's', 1000)))).toBe('EMBER_ERR_OUTBOX_FULL');
      await outbox.enqueue(msg('alarm', 'b', 1000));
      await outbox.enqueue(msg('anomaly', 'o', 1000));
      expect(await errorCodeOf(outbox.enqueue(msg('alarm', 'c', 1000)))).toBe('EMBER_ERR_OUTBOX_HARD_LIMIT');
      expect((await outbox.stats()).messages).toBe(4);
      await outbox.stop();
    });

    it('never lets new telemetry push out a status message', async () => {
      const each = storedBytes(msg('status', 's', 1000));
      const outbox = await started({ quotaBytes: 2 * each });
      await outbox.enqueue(msg('status', 's', 1000));
      await outbox.enqueue(msg('status', 't', 1000));
      expect(await errorCodeOf(outbox.enqueue(msg('telemetry', 'x', 1000)))).toBe('EMBER_ERR_OUTBOX_FULL');
      expect((await outbox.stats()).byPriority.status.messages).toBe(2);
      await outbox.stop();
    });

    it('keeps every accepted alarm and anomaly whatever the mix of traffic (property)', async () => {
      const traffic = fc.array(
        fc.record({ priority: fc.constantFrom(...PRIORITIES), size: fc.integer({ min: 1, max: 3000 }) }),
        { minLength: 1, maxLength: 40 },
      );
      await fc.assert(
        fc.asyncProperty(traffic, async (sends) => {
          const limits = { quotaBytes: 12_000, hardCeilingBytes: 20_000 };
          const outbox = await started(limits);
          const protectedIds = new Set<string>();
          try {
            for (const { priority, size } of sends) {
              try {
                const stored = await outbox.enqueue(msg(priority, 'p', size));
                if (priority === 'alarm' || priority === 'anomaly') protectedIds.add(stored.id);
              } catch (error) {
                if (!isEmberError(error)) throw error;
                expect(['EMBER_ERR_OUTBOX_FULL', 'EMBER_ERR_OUTBOX_HARD_LIMIT']).toContain(error.code);
              }
              const stats = await outbox.stats();
              expect(stats.bytes).toBeLessThanOrEqual(limits.hardCeilingBytes);
              const protectedBytes = stats.byPriority.alarm.bytes + stats.byPriority.anomaly.bytes;
              if (stats.bytes > limits.quotaBytes) expect(stats.bytes).toBe(protectedBytes);
            }
            const kept = new Set((await outbox.lease(1000)).map((m) => m.id));
            for (const id of protectedIds) expect(kept.has(id)).toBe(true);
          } finally {
            await outbox.stop();
          }
        }),
        { numRuns: propertyRuns },
      );
    });

    it('gives back an evicted message no more: acking it later deletes nothing', async () => {
      const each = storedBytes(msg('telemetry', 't', 1000));
      const outbox = await started({ quotaBytes: each });
      const old = await outbox.enqueue(msg('telemetry', 't', 1000));
      await outbox.lease(1);
      await outbox.enqueue(msg('telemetry', 'u', 1000));
      expect(await outbox.ack([old.id])).toBe(0);
      expect((await outbox.stats()).messages).toBe(1);
      await outbox.stop();
    });

    it('refuses malformed messages with EMBER_ERR_OUTBOX_BAD_MESSAGE', async () => {
      const outbox = await started();
      const wildcard = { ...msg('alarm', 'a'), topic: 'emberwatch/v1/+/alarm' };
      const huge = msg('telemetry', 'x', MAX_PAYLOAD_BYTES + 1);
      const unknown = { ...msg('alarm', 'a'), priority: 'urgent' as Priority };
      expect(await errorCodeOf(outbox.enqueue(wildcard))).toBe('EMBER_ERR_OUTBOX_BAD_MESSAGE');
      expect(await errorCodeOf(outbox.enqueue(huge))).toBe('EMBER_ERR_OUTBOX_BAD_MESSAGE');
      expect(await errorCodeOf(outbox.enqueue(unknown))).toBe('EMBER_ERR_OUTBOX_BAD_MESSAGE');
      expect((await outbox.stats()).messages).toBe(0);
      await outbox.stop();
    });

    it('tells listeners when messages became durable, and stops telling after unsubscribe', async () => {
      const outbox = await started();
      let calls = 0;
      const off = outbox.onDurable(() => calls++);
      await outbox.enqueue(msg('alarm', 'a'));
      expect(calls).toBe(1);
      off();
      await outbox.enqueue(msg('alarm', 'b'));
      expect(calls).toBe(1);
      await outbox.stop();
    });

    it('rejects every operation with EMBER_ERR_NOT_STARTED before start and after stop', async () => {
      const outbox = create();
      expect(await errorCodeOf(outbox.enqueue(msg('alarm', 'a')))).toBe('EMBER_ERR_NOT_STARTED');
      await outbox.start();
      await outbox.stop();
      expect(await errorCodeOf(outbox.enqueue(msg('alarm', 'a')))).toBe('EMBER_ERR_NOT_STARTED');
      expect(await errorCodeOf(outbox.lease(1))).toBe('EMBER_ERR_NOT_STARTED');
      expect(await errorCodeOf(outbox.ack(['x']))).toBe('EMBER_ERR_NOT_STARTED');
      expect(await errorCodeOf(outbox.stats())).toBe('EMBER_ERR_NOT_STARTED');
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), 'emberwatch-outbox-contract-'));
let files = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeOutboxContract('MemoryOutbox', (options) => new MemoryOutbox(options), 100);
describeOutboxContract(
  'SqliteOutbox (real files)',
  (options) =>
    new SqliteOutbox({ path: join(folder, `outbox-${files++}.db`), logger: silentLogger(), ...options }),
  25,
);
