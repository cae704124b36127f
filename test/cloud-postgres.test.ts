import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudConfig } from '../cloud/config/cloud-config.js';
import type { Incident } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { isEmberError } from '../shared/errors.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  apiToken,
  cloudConfig,
  deviceClient,
  getJson,
  pollUntil,
  writeServiceFiles,
  type ServiceFiles,
} from './helpers/cloud-bed.js';
import { embeddedLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { queryRows, startTestPostgres, type TestDatabase, type TestPostgres } from './helpers/postgres.js';

interface IncidentList {
  incidents: Incident[];
}

/**
 * The cloud with `database:` set: anomalies from a device over mutual TLS
 * become incidents in PostgreSQL (no incidents.sqlite), which a cloud
 * started again on the same database still has and still de-duplicates.
 */
describe('the cloud keeping its incidents in PostgreSQL', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let dir: string;
  let files: ServiceFiles;
  let device: MqttClient;
  const clouds: CloudService[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await embeddedLinkBroker();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cloud-pg-'));
    files = await writeServiceFiles(broker, dir);
    device = await deviceClient(broker, 'gw-pg-1');
  }, 90_000);

  afterAll(async () => {
    device.end(true);
    for (const cloud of clouds) await cloud.stop();
    await broker.close();
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function config(name: string, databaseUrl: string): CloudConfig {
    return cloudConfig(broker, files, join(dir, name), { database: databaseUrl });
  }

  async function startCloud(name: string): Promise<{ cloud: CloudService; token: string }> {
    const cloud = await CloudService.create({ config: config(name, database.url) });
    clouds.push(cloud);
    await cloud.start();
    return { cloud, token: await apiToken(cloud, 'viewer') };
  }

  const rows = (sql: string): Promise<Record<string, unknown>[]> =>
    queryRows<Record<string, unknown>>(database.url, sql);

  const topic = deviceTopics('gw-pg-1').anomaly;

  it('turns an anomaly into an incident in the database, and ignores its redelivery after a restart', async () => {
    const first = await startCloud('first');
    const message = anomalyMessage('gw-pg-1', 'high', 0.95);
    await device.publishAsync(topic, JSON.stringify(message), { qos: 1 });
    const { incidents } = await pollUntil(
      'an incident of gw-pg-1',
      () => getJson<IncidentList>(`${first.cloud.url}/v1/incidents?deviceId=gw-pg-1`, first.token),
      (list) => list.incidents.length === 1,
      20_000,
    );
    const opened = incidents[0];
    expect(opened).toMatchObject({
      deviceId: 'gw-pg-1',
      level: 'high',
      state: 'open',
      messageIds: [message.id],
    });
    expect(await rows('SELECT id, device_id, assessments FROM incidents')).toEqual([
      { id: opened?.id, device_id: 'gw-pg-1', assessments: 1 },
    ]);
    expect(existsSync(join(dir, 'first', 'incidents.sqlite'))).toBe(false);
    await first.cloud.stop();
    // The fleet's last known state of the device is in the database too, written at the latest on stop.
    expect(await rows('SELECT device_id FROM devices')).toEqual([{ device_id: 'gw-pg-1' }]);
    expect(existsSync(join(dir, 'first', 'fleet.sqlite'))).toBe(false);

    const second = await startCloud('second');
    expect(second.cloud.fleet.deviceIds()).toContain('gw-pg-1');
    const known = await getJson<IncidentList>(
      `${second.cloud.url}/v1/incidents?deviceId=gw-pg-1`,
      second.token,
    );
    expect(known.incidents.map((i) => i.id)).toEqual([opened?.id]);
    // The same message again, then a new one: only the new one joins the incident.
    await device.publishAsync(topic, JSON.stringify(message), { qos: 1 });
    const next = anomalyMessage('gw-pg-1', 'high', 0.97);
    await device.publishAsync(topic, JSON.stringify(next), { qos: 1 });
    await pollUntil(
      'the second anomaly joining the incident',
      () => rows('SELECT assessments, message_ids FROM incidents'),
      (list) => list.length === 1 && list[0]?.['assessments'] === 2,
      20_000,
    );
    const [row] = await rows('SELECT message_ids FROM incidents');
    expect(JSON.parse(String(row?.['message_ids']))).toEqual([message.id, next.id]);
    expect(await rows('SELECT count(*)::int AS n FROM seen_messages')).toEqual([{ n: 2 }]);
  }, 60_000);

  it('refuses to start without its database, in one line naming the store', async () => {
    const cloud = await CloudService.create({
      config: config('nowhere', 'postgresql://ember@/emberwatch?host=/nonexistent-folder'),
    });
    let error: unknown;
    await cloud.start().catch((caught: unknown) => (error = caught));
    expect(isEmberError(error, 'EMBER_ERR_DATABASE')).toBe(true);
    // Access (users, tokens, sessions) is the first to start, and the first to find the database missing.
    expect((error as Error).message).toMatch(/^access store: cannot connect to PostgreSQL: .+$/);
  }, 30_000);
});
