import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import { waitFor } from '../../test/helpers/wait.js';
import { TelemetryPack } from '../../shared/schemas/messages.js';
import { TelemetryPacker } from './backlog-packer.js';
import { Drainer, type DrainerOptions } from './drainer.js';
import { MemoryOutbox } from './memory-outbox.js';
import type { Priority } from './message.js';
import type { Publisher, PublishOptions } from './publisher.js';

interface Held {
  readonly id: string;
  resolve(): void;
  reject(error: Error): void;
}

/** A broker stand-in: acks at once, fails, or holds each publish until told. */
class FakePublisher implements Publisher {
  mode: 'ack' | 'hold' | 'fail' | ((id: string) => boolean) = 'ack';
  online = true;
  readonly sent: { topic: string; text: string; id: string }[] = [];
  readonly held: Held[] = [];
  readonly #listeners = new Set<() => void>();

  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    this.sent.push({ topic, text: payload.toString(), id: options.messageId });
    const mode = this.mode;
    if (mode === 'ack') return Promise.resolve();
    if (mode === 'fail') return Promise.reject(new Error('link down'));
    if (typeof mode === 'function')
      return mode(options.messageId) ? Promise.resolve() : Promise.reject(new Error('x'));
    return new Promise((resolve, reject) => this.held.push({ id: options.messageId, resolve, reject }));
  }

  isOnline(): boolean {
    return this.online;
  }

  onOnline(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  comeOnline(): void {
    this.online = true;
    for (const listener of this.#listeners) listener();
  }

  texts(): string[] {
    return this.sent.map((s) => s.text);
  }
}

const running: Drainer[] = [];

async function setUp(
  settings: Partial<DrainerOptions> = {},
): Promise<{ outbox: MemoryOutbox; publisher: FakePublisher; drainer: Drainer }> {
  const outbox = new MemoryOutbox({ clock: { now: () => Date.now() } });
  await outbox.start();
  const publisher = new FakePublisher();
  const drainer = new Drainer({
    outbox,
    publisher,
    logger: silentLogger(),
    clock: { now: () => Date.now() },
    random: () => 0.5, // jitter term 0
    publishesPerSecond: 1e6,
    burst: 1000,
    ...settings,
  });
  running.push(drainer);
  return { outbox, publisher, drainer };
}

async function fill(
  outbox: MemoryOutbox,
  priority: Priority,
  count: number,
  prefix = priority[0] ?? 'm',
): Promise<void> {
  await outbox.enqueueMany(
    Array.from({ length: count }, (_, i) => ({
      topic: `emberwatch/v1/gw-1/${priority}`,
      payload: Buffer.from(`${prefix}${i}`),
      priority,
    })),
  );
}

afterEach(async () => {
  for (const drainer of running.splice(0)) await drainer.stop();
  vi.useRealTimers();
});

describe('Drainer', () => {
  it('publishes everything in drain order with QoS 1 and the message id, then deletes it', async () => {
    const { outbox, publisher, drainer } = await setUp();
    await fill(outbox, 'telemetry', 3);
    await fill(outbox, 'alarm', 2);
    await drainer.start();
    await waitFor('outbox empty', () => publisher.sent.length === 5);
    await waitFor('acks', () => drainer.stats.published === 5);
    expect(publisher.texts()).toEqual(['a0', 'a1', 't0', 't1', 't2']);
    expect(publisher.sent[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await outbox.stats()).messages).toBe(0);
  });

  it('publishes messages enqueued after it started, without polling', async () => {
    const { outbox, publisher, drainer } = await setUp();
    await drainer.start();
    await fill(outbox, 'anomaly', 1);
    await waitFor('published', () => publisher.sent.length === 1);
  });

  it('keeps at most maxInFlight publishes waiting for PUBACK', async () => {
    const { outbox, publisher, drainer } = await setUp({ maxInFlight: 10 });
    publisher.mode = 'hold';
    await fill(outbox, 'telemetry', 50);
    await drainer.start();
    await waitFor('window full', () => publisher.sent.length === 10);
    await new Promise((r) => setTimeout(r, 20));
    expect(publisher.sent.length).toBe(10);
    publisher.held.splice(0, 3).forEach((h) => h.resolve());
    await waitFor('three more', () => publisher.sent.length === 13);
    expect(drainer.stats.awaitingPuback).toBe(10);
  });

  it('stays within the publish rate', async () => {
    vi.useFakeTimers();
    const { outbox, publisher, drainer } = await setUp({ publishesPerSecond: 10, burst: 1 });
    await fill(outbox, 'telemetry', 100);
    await drainer.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(publisher.sent.length).toBeGreaterThanOrEqual(20);
    expect(publisher.sent.length).toBeLessThanOrEqual(21);
  });

  it('nacks a failed publish, backs off, then retries it before anything newer in its priority', async () => {
    vi.useFakeTimers();
    const { outbox, publisher, drainer } = await setUp({
      maxInFlight: 1,
      backoff: { initialMs: 1000, maxMs: 8000, jitter: 0 },
    });
    await fill(outbox, 'status', 3);
    publisher.mode = 'fail';
    await drainer.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(publisher.texts()).toEqual(['s0']);
    publisher.mode = 'ack';
    await vi.advanceTimersByTimeAsync(980);
    expect(publisher.sent.length).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(publisher.texts()).toEqual(['s0', 's0', 's1', 's2']);
    expect(drainer.stats.failed).toBe(1);
    expect((await outbox.stats()).messages).toBe(0);
  });

  it('backs off longer after each consecutive failure', async () => {
    vi.useFakeTimers();
    const { outbox, publisher, drainer } = await setUp({
      backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0 },
    });
    publisher.mode = 'fail';
    await fill(outbox, 'alarm', 1);
    await drainer.start();
    const times: number[] = [];
    const start = Date.now();
    for (let t = 0; t < 16_000; t += 100) {
      const before = publisher.sent.length;
      await vi.advanceTimersByTimeAsync(100);
      if (publisher.sent.length > before) times.push(Math.round((Date.now() - start) / 1000));
    }
    expect(times).toEqual([0, 1, 3, 7, 15]);
    expect((await outbox.lease(1))[0]?.attempts).toBe(5);
  });

  it('publishes nothing while offline and starts as soon as the link says it is back', async () => {
    const { outbox, publisher, drainer } = await setUp({ offlinePollMs: 60_000 });
    publisher.online = false;
    await fill(outbox, 'alarm', 2);
    await drainer.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(publisher.sent).toEqual([]);
    publisher.comeOnline();
    await waitFor('published after reconnect', () => publisher.sent.length === 2, 1000);
  });

  it('treats a publish without PUBACK as failed after the timeout and publishes it again', async () => {
    vi.useFakeTimers();
    const { outbox, publisher, drainer } = await setUp({
      publishTimeoutMs: 5000,
      backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
    });
    publisher.mode = 'hold';
    await fill(outbox, 'anomaly', 1);
    await drainer.start();
    await vi.advanceTimersByTimeAsync(4990);
    expect(publisher.sent.length).toBe(1);
    publisher.mode = 'ack';
    await vi.advanceTimersByTimeAsync(200);
    expect(publisher.sent.length).toBe(2);
    expect(drainer.stats.failed).toBe(1);
    expect((await outbox.stats()).messages).toBe(0);
  });

  it('gives back in-flight leases at stop, and still deletes a message whose PUBACK comes late', async () => {
    const { outbox, publisher, drainer } = await setUp({ maxInFlight: 2 });
    publisher.mode = 'hold';
    await fill(outbox, 'telemetry', 3);
    await drainer.start();
    await waitFor('two in flight', () => publisher.held.length === 2);
    await drainer.stop();
    expect((await outbox.stats()).leased).toBe(0);
    publisher.held[0]?.resolve();
    await waitFor('late ack deleted t0', () => publisher.held.length === 2);
    await new Promise((r) => setTimeout(r, 10));
    const left = await outbox.lease(10);
    expect(left.map((m) => m.payload.toString())).toEqual(['t1', 't2']);
  });

  it('delivers every message at least once through a flaky link, and empties the outbox', async () => {
    const { outbox, publisher, drainer } = await setUp({
      maxInFlight: 25,
      backoff: { initialMs: 1, maxMs: 4, jitter: 0 },
    });
    let calls = 0;
    publisher.mode = () => calls++ % 3 !== 0; // every third publish fails
    await fill(outbox, 'telemetry', 150);
    await fill(outbox, 'alarm', 50);
    await drainer.start();
    await waitFor('outbox drained', () => drainer.stats.published === 200, 10_000);
    await new Promise((r) => setTimeout(r, 10));
    expect((await outbox.stats()).messages).toBe(0);
    const delivered = new Set(publisher.texts());
    expect(delivered.size).toBe(200);
    expect(drainer.stats.failed).toBeGreaterThan(0);
  });

  describe('with a backlog packer', () => {
    /** Stored telemetry as the pipeline writes it: one JSON message per record. */
    async function fillTelemetry(outbox: MemoryOutbox, device: string, from: number, count: number) {
      await outbox.enqueueMany(
        Array.from({ length: count }, (_, k) => {
          const i = from + k;
          const body = {
            schemaVersion: 1,
            id: `${device}-${String(i)}`,
            deviceId: device,
            ts: i,
            records: [],
          };
          return {
            topic: `emberwatch/v1/${device}/telemetry`,
            payload: Buffer.from(JSON.stringify(body)),
            priority: 'telemetry' as const,
          };
        }),
      );
    }

    /** The stored-message ids each publish carried, in publish order. */
    function innerIds(publisher: FakePublisher): string[][] {
      return publisher.sent.map((s) => {
        const body = JSON.parse(s.text) as { kind?: string; id: string };
        return body.kind === 'pack' ? TelemetryPack.parse(body).messages.map((m) => m.id) : [body.id];
      });
    }

    it('sends alarms and anomalies first, each alone, then the telemetry backlog packed in stored order', async () => {
      const { outbox, publisher, drainer } = await setUp({ packer: new TelemetryPacker({ maxBytes: 2048 }) });
      await fillTelemetry(outbox, 'gw-1', 0, 100);
      await outbox.enqueueMany([
        { topic: 'emberwatch/v1/gw-1/anomaly', payload: Buffer.from('{"id":"alarm-1"}'), priority: 'alarm' },
        {
          topic: 'emberwatch/v1/gw-1/anomaly',
          payload: Buffer.from('{"id":"anomaly-1"}'),
          priority: 'anomaly',
        },
        { topic: 'emberwatch/v1/gw-1/status', payload: Buffer.from('{"id":"status-1"}'), priority: 'status' },
      ]);
      await drainer.start();
      await waitFor('every message delivered', () => drainer.stats.delivered === 103);
      const sent = innerIds(publisher);
      expect(sent.slice(0, 3)).toEqual([['alarm-1'], ['anomaly-1'], ['status-1']]);
      expect(sent.flat().slice(3)).toEqual(Array.from({ length: 100 }, (_, i) => `gw-1-${String(i)}`));
      expect(sent.length).toBeLessThan(20);
      for (const s of publisher.sent) expect(s.text.length).toBeLessThanOrEqual(2048);
      expect(drainer.stats.published).toBe(sent.length);
      await waitFor('all deleted', () => drainer.stats.inFlight === 0);
      expect((await outbox.stats()).messages).toBe(0);
    });

    it('keeps maxInFlight and the rate counting publishes, not stored messages', async () => {
      vi.useFakeTimers();
      const { outbox, publisher, drainer } = await setUp({
        packer: new TelemetryPacker({ maxMessages: 10 }),
        publishesPerSecond: 10,
        burst: 1,
      });
      await fillTelemetry(outbox, 'gw-1', 0, 1000);
      await drainer.start();
      await vi.advanceTimersByTimeAsync(2000);
      expect(publisher.sent.length).toBeGreaterThanOrEqual(20);
      expect(publisher.sent.length).toBeLessThanOrEqual(21);
      expect(drainer.stats.delivered).toBe(10 * drainer.stats.published);
    });

    it('nacks a failed pack whole; every record still arrives, the outbox empties', async () => {
      const { outbox, publisher, drainer } = await setUp({
        packer: new TelemetryPacker({ maxBytes: 1500 }),
        maxInFlight: 4,
        backoff: { initialMs: 1, maxMs: 4, jitter: 0 },
      });
      let calls = 0;
      publisher.mode = () => calls++ % 3 !== 1; // every third publish fails
      await fillTelemetry(outbox, 'gw-1', 0, 300);
      await drainer.start();
      // New telemetry arrives while the backlog drains, so repacked messages meet new neighbours.
      await fillTelemetry(outbox, 'gw-1', 300, 100);
      await waitFor('every message deleted', () => drainer.stats.delivered >= 400, 10_000);
      await waitFor('deletes committed', () => drainer.stats.inFlight === 0);
      expect((await outbox.stats()).messages).toBe(0);
      expect(drainer.stats.failed).toBeGreaterThan(0);
      const delivered = new Set(innerIds(publisher).flat());
      expect(delivered.size).toBe(400);
    });
  });
});
