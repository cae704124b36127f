import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearningDecision } from '../cloud/contracts/cloud-values.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  deviceClient,
  getJson,
  pollUntil,
  postJson,
  writeServiceFiles,
} from './helpers/cloud-bed.js';
import { startCloudWorker, type CloudWorker } from './helpers/cloud-workers.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { queryRows, startTestPostgres, type TestDatabase, type TestPostgres } from './helpers/postgres.js';
import { runInProcess } from './helpers/run-in-process.js';

const DEVICES = ['gw-lk-1', 'gw-lk-2'];

/**
 * Two `emberwatch cloud` processes on one PostgreSQL database: the one
 * holding the learning lease is killed with SIGKILL, and the other takes
 * the lease over once it expires and learns the verdict given to it
 * meanwhile, with a token made by `emberwatch tokens create` against the
 * same configuration (valid on every worker).
 */
describe('the learning lease when its holder is killed', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let dir: string;
  let configPath: string;
  const workers: CloudWorker[] = [];
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    assertFreshBuild(['shared', 'factory', 'cloud', 'cli']);
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await mosquittoLinkBroker('mqtt5');
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-learning-kill-'));
    const files = await writeServiceFiles(broker, dir);
    const config = (name: string): Record<string, unknown> => ({
      broker: { host: '127.0.0.1', port: broker.port, ...files, protocol: 'mqtt5', sharedGroup: 'cloud' },
      dataDir: join(dir, name),
      http: { host: '127.0.0.1', port: 0 },
      database: database.url,
    });
    configPath = join(dir, 'admin.json');
    await writeFile(configPath, JSON.stringify(config('admin')));
    for (const name of ['worker-a', 'worker-b']) {
      workers.push(await startCloudWorker(name, `cloud-${name}`, config(name), dir));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.endAsync(true)));
    await Promise.all(workers.map((worker) => worker.stop()));
    await broker.close();
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const holderPid = async (): Promise<number | undefined> => {
    const [row] = await queryRows<{ holder: string }>(
      database.url,
      "SELECT holder FROM leases WHERE name = 'rollout'",
    );
    return row === undefined ? undefined : Number(row.holder.split('/')[1]);
  };

  it('is taken over by the other worker, which learns what was queued meanwhile', async () => {
    const made = await runInProcess([
      'tokens',
      'create',
      '--name',
      'ops',
      '--role',
      'operator',
      '--config',
      configPath,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim().split('\n')[1] ?? '';
    for (const deviceId of DEVICES) {
      const device = await deviceClient(broker, deviceId);
      devices.push(device);
      await device.publishAsync(
        deviceTopics(deviceId).anomaly,
        JSON.stringify(anomalyMessage(deviceId, 'high', 0.95)),
        {
          qos: 1,
        },
      );
    }
    const incidents = await pollUntil(
      'an incident per device',
      () =>
        queryRows<{ id: string; device_id: string }>(
          database.url,
          'SELECT id, device_id FROM incidents ORDER BY device_id',
        ),
      (rows) => rows.length === DEVICES.length,
      20_000,
    );
    const pid = await pollUntil('a learning lease holder', holderPid, (p) => p !== undefined);
    const holder = workers.find((worker) => worker.pid === pid);
    const other = workers.find((worker) => worker.pid !== pid);
    if (holder === undefined || other === undefined) throw new Error(`no worker of pid ${String(pid)}`);

    // The token made from the command line works on either worker: a first verdict on the holder.
    const resolve = (url: string, id: string): Promise<{ status: number }> =>
      postJson(`${url}/v1/incidents/${id}/resolve`, { outcome: 'false-alarm' }, token);
    expect((await resolve(holder.url, incidents[0]?.id ?? '')).status).toBe(200);
    await pollUntil(
      'the first decision',
      () => queryRows(database.url, 'SELECT id FROM decisions'),
      (rows) => rows.length === 1,
      10_000,
    );

    // Killed outright, the holder keeps its lease until it expires; the verdict waits in the queue.
    await holder.kill();
    const killedAt = Date.now();
    expect((await resolve(other.url, incidents[1]?.id ?? '')).status).toBe(200);
    const decided = await pollUntil(
      'the second decision, by the worker left',
      () =>
        queryRows<{ incident_id: string }>(database.url, 'SELECT incident_id FROM decisions ORDER BY seq'),
      (rows) => rows.length === 2,
      20_000,
    );
    console.log(`learning taken over ${String(Date.now() - killedAt)} ms after the kill`);
    expect(decided.map((row) => row.incident_id)).toEqual(incidents.map((incident) => incident.id));
    expect(await holderPid()).toBe(other.pid);
    expect(await queryRows(database.url, 'SELECT seq FROM learning_outcomes')).toEqual([]);
    const listed = await getJson<{ decisions: LearningDecision[] }>(`${other.url}/v1/decisions`, token);
    expect(listed.decisions.map((d) => d.action)).toEqual(['adjust-rules', 'adjust-rules']);
  }, 90_000);
});
