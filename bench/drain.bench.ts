import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { IotLink } from '../edge/link/iot-link.js';
import { Drainer } from '../edge/outbox/drainer.js';
import type { NewMessage } from '../edge/outbox/message.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { silentLogger } from '../shared/logging.js';
import { startBenchBroker, type BenchBroker } from './bench-broker.js';
import { formatMeasurement, type Measurement } from './measure.js';

/**
 * Drain throughput against the embedded broker over mutual TLS: N messages
 * queued in the SQLite outbox, drained by the agent's Drainer through its
 * IotLink until every PUBACK has arrived and every row is deleted, against a
 * bare MQTT.js client publishing the same payloads with QoS 1 to the same
 * broker (with the same 100-message window, and all at once). The target
 * compares like with like: the drainer against the bare client with the same
 * window of outstanding publishes; the unbounded client is shown for scale.
 * The drainer runs without its IoT Core rate limit here, to measure the machinery.
 */
const N = 10_000;
const WINDOW = 100;
const DEVICE = 'gw-bench-drain';
const TOPIC = `emberwatch/v1/${DEVICE}/telemetry`;

function payload(i: number): Buffer {
  return Buffer.alloc(300, i % 251);
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(0)} %`;
}

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

async function drainRate(broker: BenchBroker): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'emberwatch-drain-bench-'));
  const outbox = new SqliteOutbox({ path: join(folder, 'outbox.db'), logger: silentLogger() });
  const link = new IotLink({ settings: await broker.linkSettings(DEVICE) });
  const drainer = new Drainer({
    outbox,
    publisher: link,
    logger: silentLogger(),
    maxInFlight: WINDOW,
    publishesPerSecond: 1e9,
    burst: 1e6,
  });
  try {
    await outbox.start();
    for (let sent = 0; sent < N; sent += 1000) {
      const batch: NewMessage[] = Array.from({ length: 1000 }, (_, i) => ({
        topic: TOPIC,
        payload: payload(sent + i),
        priority: 'telemetry',
      }));
      await outbox.enqueueMany(batch);
    }
    await link.start();
    await new Promise<void>((resolve) =>
      link.isOnline() ? resolve() : link.once('online', () => resolve()),
    );
    const start = process.hrtime.bigint();
    await drainer.start();
    // Watch the drainer's counters (no queries competing with it), then wait for the last deletes.
    while (drainer.stats.published < N) await new Promise((r) => setTimeout(r, 2));
    while ((await outbox.stats()).messages > 0) await new Promise((r) => setTimeout(r, 1));
    return N / seconds(start);
  } finally {
    await drainer.stop();
    await link.stop();
    await outbox.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The agent's link alone (no outbox), the same window: what the MQTT client under the link costs. */
async function linkAlone(broker: BenchBroker): Promise<number> {
  const link = new IotLink({ settings: await broker.linkSettings(`${DEVICE}-link`) });
  try {
    await link.start();
    await new Promise<void>((resolve) =>
      link.isOnline() ? resolve() : link.once('online', () => resolve()),
    );
    const topic = `emberwatch/v1/${DEVICE}-link/telemetry`;
    const start = process.hrtime.bigint();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < N) {
        const i = next++;
        await link.publish(topic, payload(i), { qos: 1, messageId: String(i) });
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, lane));
    return N / seconds(start);
  } finally {
    await link.stop();
  }
}

async function bareWindowed(client: MqttClient): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < N) {
      const i = next++;
      await client.publishAsync(TOPIC, payload(i), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return N / seconds(start);
}

async function bareAllAtOnce(client: MqttClient): Promise<number> {
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: N }, (_, i) => client.publishAsync(TOPIC, payload(i), { qos: 1 })));
  return N / seconds(start);
}

export async function benchDrain(): Promise<Measurement[]> {
  const broker = await startBenchBroker();
  try {
    const client = await broker.service('bench-bare');
    // Warm both paths once (TLS session, JIT), then interleave rounds so a busy moment of a shared
    // machine hits both sides alike; best of three each.
    await bareWindowed(client);
    await drainRate(broker);
    let drain = 0;
    let windowed = 0;
    let allAtOnce = 0;
    let alone = 0;
    for (let round = 0; round < 3; round++) {
      drain = Math.max(drain, await drainRate(broker));
      alone = Math.max(alone, await linkAlone(broker));
      windowed = Math.max(windowed, await bareWindowed(client));
      allAtOnce = Math.max(allAtOnce, await bareAllAtOnce(client));
    }
    return [
      {
        name: 'drain outbox → IotLink → embedded broker',
        perSecond: drain,
        unit: 'msgs',
        note: `${N.toLocaleString('en')} × 300 B from SQLite, ${String(WINDOW)} in flight, mTLS, QoS 1, rows deleted`,
      },
      {
        name: `IotLink alone, ${String(WINDOW)} in flight`,
        perSecond: alone,
        unit: 'msgs',
        note: 'no outbox: the aws-crt MQTT client under the link',
      },
      {
        name: `bare MQTT.js QoS 1, ${String(WINDOW)} in flight`,
        perSecond: windowed,
        unit: 'msgs',
        note: `same payloads, same broker, same window: drain / this = ${percent(drain, windowed)} (target 80 %)`,
      },
      {
        name: 'bare MQTT.js QoS 1, all at once',
        perSecond: allAtOnce,
        unit: 'msgs',
        note: `no window, unlike the drainer: drain / this = ${percent(drain, allAtOnce)}`,
      },
    ];
  } finally {
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const m of await benchDrain()) console.log(formatMeasurement(m));
}
