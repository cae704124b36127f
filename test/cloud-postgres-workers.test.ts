import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  cloudConfig,
  deviceClient,
  pollUntil,
  startWebhookReceiver,
  writeServiceFiles,
  type ServiceFiles,
  type WebhookReceiver,
} from './helpers/cloud-bed.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { startTestPostgres, type TestDatabase, type TestPostgres, queryRows } from './helpers/postgres.js';

const DEVICES = 20;
const PER_DEVICE = 5;

/**
 * Two cloud workers on one PostgreSQL database behind an MQTT 5 shared
 * subscription (mosquitto): the broker splits the devices' anomalies
 * between them, and the database, not either worker's memory, keeps one
 * incident per device, each anomaly assessed once (a redelivery reaching
 * the other worker included) and each page sent once.
 */
describe('two cloud workers sharing a PostgreSQL database', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let hooks: WebhookReceiver;
  let dir: string;
  let files: ServiceFiles;
  const workers: CloudService[] = [];
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await mosquittoLinkBroker('mqtt5');
    hooks = await startWebhookReceiver();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-workers-'));
    files = await writeServiceFiles(broker, dir);
    for (const name of ['worker-a', 'worker-b']) {
      const base = cloudConfig(broker, files, join(dir, name), {
        database: database.url,
        response: {
          notify: [{ url: hooks.url('/notify') }],
          emergency: [{ url: hooks.url('/emergency') }],
          repeatEveryS: 600,
          escalateAfterS: 600,
        },
      });
      const config = {
        ...base,
        broker: { ...base.broker, protocol: 'mqtt5' as const, sharedGroup: 'cloud' },
      };
      const worker = await CloudService.create({ config, clientId: `cloud-${name}` });
      workers.push(worker);
      await worker.start();
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.endAsync(true)));
    for (const worker of workers) await worker.stop();
    await hooks.stop();
    await broker.close();
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = <R>(sql: string): Promise<R[]> => queryRows<R>(database.url, sql);

  it('splits the anomalies between the workers and keeps one incident per device, each page sent once', async () => {
    const sent = new Set<string>();
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const deviceId = `gw-w-${String(d)}`;
        const device = await deviceClient(broker, deviceId);
        devices.push(device);
        const topic = deviceTopics(deviceId).anomaly;
        for (let n = 0; n < PER_DEVICE; n += 1) {
          const message = anomalyMessage(deviceId, 'high', 0.9 + n / 100);
          sent.add(message.id);
          const payload = JSON.stringify(message);
          await device.publishAsync(topic, payload, { qos: 1 });
          // Every first message twice: the copy may well reach the other worker.
          if (n === 0) await device.publishAsync(topic, payload, { qos: 1 });
        }
      }),
    );
    const assessed = await pollUntil(
      `${String(sent.size)} anomalies assessed`,
      () => rows<{ message_id: string }>('SELECT message_id FROM assessments'),
      (list) => list.length >= sent.size,
      60_000,
    );
    const received = workers.map((worker) => worker.ingest.stats().received.anomaly);
    expect(received.reduce((a, b) => a + b)).toBe(DEVICES * (PER_DEVICE + 1));
    expect(Math.min(...received), `anomalies per worker: ${received.join(', ')}`).toBeGreaterThan(0);

    expect(assessed.map((r) => r.message_id).sort()).toEqual([...sent].sort());
    const incidents = await rows<{ device_id: string; assessments: number }>(
      'SELECT device_id, assessments FROM incidents ORDER BY device_id',
    );
    expect(incidents).toHaveLength(DEVICES);
    expect(new Set(incidents.map((i) => i.device_id)).size).toBe(DEVICES);
    expect(incidents.every((i) => i.assessments === PER_DEVICE)).toBe(true);

    // Pages: each (incident, event, level) once. Give deliveries of late events time to arrive first.
    await pollUntil(
      'a page for every incident',
      () => Promise.resolve(new Set(hooks.calls.map((c) => (c.body['incident'] as Incident).id)).size),
      (n) => n === DEVICES,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const keys = hooks.calls.map((call) => {
      const incident = call.body['incident'] as Incident;
      return `${incident.id} ${String(call.body['type'])} ${String(call.body['level'])}`;
    });
    expect(keys.length).toBe(new Set(keys).size);
  }, 120_000);

  it("brings an incident change made on one worker to the other worker's live view, once", async () => {
    const [a, b] = workers;
    if (a === undefined || b === undefined) throw new Error('two workers');
    const [open] = a.incidents.list({ state: 'open', limit: 1 });
    if (open === undefined) throw new Error('no open incident left by the previous test');
    const seen = { a: [] as string[], b: [] as string[] };
    const offA = a.live.subscribe((event) => {
      if (event.type === 'incident' && event.incident.id === open.id) seen.a.push(event.incident.state);
    });
    const offB = b.live.subscribe((event) => {
      if (event.type === 'incident' && event.incident.id === open.id) seen.b.push(event.incident.state);
    });
    try {
      a.incidents.acknowledge(open.id, 'dana');
      await pollUntil(
        "the acknowledgement in worker b's live view",
        () => Promise.resolve(seen.b),
        (states) => states.includes('acknowledged'),
        10_000,
      );
      // Time for any echo of a's own notification to arrive, which it must ignore.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual({ a: ['acknowledged'], b: ['acknowledged'] });
    } finally {
      offA();
      offB();
    }
  }, 30_000);
});
