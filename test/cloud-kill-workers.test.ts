import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../cloud/contracts/cloud-values.js';
import { DELIVERY_HEADER } from '../cloud/response/webhook-notifier.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  deviceClient,
  pollUntil,
  startWebhookReceiver,
  writeServiceFiles,
  type WebhookReceiver,
} from './helpers/cloud-bed.js';
import { startCloudWorker, type CloudWorker } from './helpers/cloud-workers.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { startTestPostgres, type TestDatabase, type TestPostgres, queryRows } from './helpers/postgres.js';

/** A positive whole number from the environment, or `fallback`. */
function knob(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0`);
  return value;
}

const WORKERS = 3;
/** EMBER_KILL_DEVICES=200 EMBER_KILLS=20 plays the full figure. */
const DEVICES = knob('EMBER_KILL_DEVICES', 50);
/** At least this many bursts, and more while kills are still to come. */
const BURSTS = 10;
const PER_BURST = 2;
const KILLS = knob('EMBER_KILLS', 5);

/** A small seeded generator, so that a failing run's moments can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Three `emberwatch cloud` processes on one PostgreSQL database behind an
 * MQTT 5 shared subscription on mosquitto (mutual TLS), each with its own
 * stable client id and a persistent session. While 50 devices publish
 * bursts of anomalies, a worker is killed with SIGKILL at 5 random moments
 * and started again with the same client id, as a supervisor would. A
 * message is acknowledged only once committed, so what a killed worker
 * held comes again when it returns (its share of the group is kept in its
 * session meanwhile): no anomaly is lost, none makes a second incident,
 * no page goes twice. (The figure is 20 moments and 200 devices;
 * this test keeps to a size the suite can afford.)
 */
describe('three cloud workers, one killed at random moments', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let hooks: WebhookReceiver;
  let dir: string;
  const configs: Record<string, unknown>[] = [];
  const workers: CloudWorker[] = [];
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    assertFreshBuild(['shared', 'factory', 'cloud', 'cli']);
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await mosquittoLinkBroker('mqtt5');
    hooks = await startWebhookReceiver();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-kill-workers-'));
    const files = await writeServiceFiles(broker, dir);
    for (let w = 0; w < WORKERS; w += 1) {
      configs.push({
        broker: { host: '127.0.0.1', port: broker.port, ...files, protocol: 'mqtt5', sharedGroup: 'cloud' },
        dataDir: join(dir, `worker-${String(w)}`),
        http: { host: '127.0.0.1', port: 0 },
        database: database.url,
        response: {
          notify: [{ url: hooks.url('/notify') }],
          emergency: [{ url: hooks.url('/emergency') }],
          repeatEveryS: 600,
          escalateAfterS: 600,
        },
      });
    }
    const started = await Promise.all(
      configs.map((config, w) => startCloudWorker(`worker-${String(w)}`, `cloud-w${String(w)}`, config, dir)),
    );
    workers.push(...started);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.endAsync(true)));
    await Promise.all(workers.map((worker) => worker.stop()));
    await hooks.stop();
    await broker.close();
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = <R>(sql: string): Promise<R[]> => queryRows<R>(database.url, sql);

  it('loses no anomaly, makes no second incident and sends no page twice', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seeded(seed);
    const ids = Array.from({ length: DEVICES }, (_, d) => `gw-kill-${String(d)}`);
    devices.push(...(await Promise.all(ids.map((id) => deviceClient(broker, id)))));
    const sent: string[] = [];
    const killed: string[] = [];

    const state = { killing: true };
    // Bursts go on until every kill is done, so that each falls among them.
    const publishing = (async () => {
      for (let burst = 0; burst < BURSTS || state.killing; burst += 1) {
        await Promise.all(
          ids.map(async (deviceId, d) => {
            for (let n = 0; n < PER_BURST; n += 1) {
              const message = anomalyMessage(deviceId, 'high', 0.9);
              sent.push(message.id);
              await devices[d]?.publishAsync(deviceTopics(deviceId).anomaly, JSON.stringify(message), {
                qos: 1,
              });
            }
          }),
        );
        // About 100 anomalies a second at most, which three workers on this machine's two cores keep up with.
        await sleep(DEVICES * PER_BURST * 10 + random() * 600);
      }
    })();
    const killing = (async () => {
      for (let k = 0; k < KILLS; k += 1) {
        await sleep(300 + random() * 1200);
        const w = Math.floor(random() * WORKERS);
        const worker = workers[w];
        const config = configs[w];
        if (worker === undefined || config === undefined) throw new Error(`no worker ${String(w)}`);
        await worker.kill();
        killed.push(`${worker.name} after ${String(sent.length)} sent`);
        await sleep(random() * 500);
        workers[w] = await startCloudWorker(worker.name, `cloud-w${String(w)}`, config, dir);
      }
      state.killing = false;
    })();
    await Promise.all([publishing, killing]);
    const where = `seed ${String(seed)}, killed ${killed.join('; ')}`;

    const assessed = await pollUntil(
      `${String(sent.length)} anomalies assessed (${where})`,
      () => rows<{ message_id: string }>('SELECT message_id FROM assessments'),
      (list) => list.length >= sent.length,
      300_000,
    );
    expect(assessed.map((r) => r.message_id).sort(), where).toEqual([...sent].sort());
    const incidents = await rows<{ id: string; device_id: string; assessments: number }>(
      'SELECT id, device_id, assessments FROM incidents',
    );
    expect(incidents.map((i) => i.device_id).sort(), where).toEqual([...ids].sort());
    const perDevice = sent.length / DEVICES;
    expect(
      incidents.filter((i) => i.assessments !== perDevice),
      where,
    ).toEqual([]);

    // Time for pages still on their way, and for a second page of any, which must not come.
    await sleep(3000);
    const deliveries = new Map<string, Set<string>>();
    for (const call of hooks.calls) {
      const incident = call.body['incident'] as Incident;
      const key = `${incident.id} ${String(call.body['type'])} ${String(call.body['level'])}`;
      const seen = deliveries.get(key) ?? new Set<string>();
      seen.add(String(call.headers[DELIVERY_HEADER]));
      deliveries.set(key, seen);
    }
    const doubled = [...deliveries].filter(([, seen]) => seen.size > 1).map(([key]) => key);
    expect(doubled, where).toEqual([]);
    const paged = new Set(hooks.calls.map((call) => (call.body['incident'] as Incident).id));
    const unpaged = incidents.filter((i) => !paged.has(i.id)).length;
    console.info(
      `kill test: ${String(sent.length)} anomalies, ${String(incidents.length)} incidents, ` +
        `${String(deliveries.size)} pages, ${String(unpaged)} incidents without a page; ${where}`,
    );
    expect(workers.every((worker) => worker.running())).toBe(true);
  }, 900_000);
});
