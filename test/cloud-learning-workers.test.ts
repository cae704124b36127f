import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, LearningDecision } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { DeviceConfigMessage } from '../shared/schemas/messages.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  apiToken,
  cloudConfig,
  deviceClient,
  getJson,
  pollUntil,
  postJson,
  writeServiceFiles,
} from './helpers/cloud-bed.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { queryRows, startTestPostgres, type TestDatabase, type TestPostgres } from './helpers/postgres.js';

const DEVICES = ['gw-lw-1', 'gw-lw-2'];

/**
 * Two cloud workers on one PostgreSQL database: an operator's verdict given
 * on either worker is learned by the one holding the learning lease, every
 * worker answers from the shared decisions, and when the holder stops the
 * other takes the role and the outcomes queued meanwhile over.
 */
describe('the learning agent across two cloud workers sharing PostgreSQL', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let dir: string;
  const workers: CloudService[] = [];
  const devices: MqttClient[] = [];
  /** `worker deviceId action` of every outcome learned, in order. */
  const learned: string[] = [];
  /** `deviceId high-threshold` of every config message a device got. */
  const configs: string[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await mosquittoLinkBroker('mqtt5');
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-learning-workers-'));
    const files = await writeServiceFiles(broker, dir);
    for (const name of ['worker-a', 'worker-b']) {
      const base = cloudConfig(broker, files, join(dir, name), { database: database.url });
      const config = {
        ...base,
        // Clean sessions: the holder leaves for good here (see the rollout hand-over test).
        broker: { ...base.broker, protocol: 'mqtt5' as const, sharedGroup: 'cloud', sessionExpiryS: 0 },
      };
      const worker = await CloudService.create({ config, clientId: `cloud-${name}` });
      worker.learning.on('learned', (decision, outcome) =>
        learned.push(`${name} ${outcome.incident.deviceId} ${decision.action}`),
      );
      workers.push(worker);
      await worker.start();
    }
    for (const deviceId of DEVICES) {
      const device = await deviceClient(broker, deviceId);
      devices.push(device);
      const topics = deviceTopics(deviceId);
      device.on('message', (topic, payload) => {
        if (topic !== topics.config || payload.length === 0) return;
        const message = DeviceConfigMessage.parse(JSON.parse(payload.toString('utf8')));
        configs.push(`${deviceId} ${String(message.alarm?.high.threshold)}`);
      });
      await device.subscribeAsync(topics.config, { qos: 1 });
      await device.publishAsync(topics.anomaly, JSON.stringify(anomalyMessage(deviceId, 'high', 0.95)), {
        qos: 1,
      });
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.endAsync(true)));
    for (const worker of workers) await worker.stop();
    await broker.close();
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const decisionRows = (): Promise<{ incident_id: string; action: string }[]> =>
    queryRows(database.url, 'SELECT incident_id, action FROM decisions ORDER BY seq');

  it('learns on the lease holder only, answers on both, and hands the role over when the holder stops', async () => {
    const holders = workers.filter((worker) => worker.singletons?.held().includes('rollout'));
    expect(holders).toHaveLength(1);
    const [holder] = holders;
    const other = workers.find((worker) => worker !== holder);
    if (holder === undefined || other === undefined) throw new Error('two workers');
    const holderName = `worker-${workers.indexOf(holder) === 0 ? 'a' : 'b'}`;
    const otherName = `worker-${workers.indexOf(other) === 0 ? 'a' : 'b'}`;
    const token = await apiToken(other);
    const incidents = await pollUntil(
      'an open incident per device',
      () => Promise.resolve(other.incidents.list({ state: 'open', limit: 10 })),
      (list) => list.length === DEVICES.length,
      20_000,
    );
    const incidentOf = (deviceId: string): Incident =>
      incidents.find((i) => i.deviceId === deviceId) ?? expect.fail(`no incident of ${deviceId}`);
    // Anomalies of gw-lw-1 until both workers' fleets know it (the group shares them out).
    const [device] = devices;
    await pollUntil(
      "gw-lw-1 in both workers' fleets",
      async () => {
        const message = JSON.stringify(anomalyMessage('gw-lw-1', 'high', 0.95));
        await device?.publishAsync(deviceTopics('gw-lw-1').anomaly, message, { qos: 1 });
        return workers.every((worker) => worker.fleet.device('gw-lw-1') !== undefined);
      },
      (known) => known,
      10_000,
    );
    const liveOnOther: string[] = [];
    const configsOnOther: string[] = [];
    const off = other.live.subscribe((event) => {
      if (event.type === 'decision') liveOnOther.push(event.decision.incidentId);
      const config = event.type === 'device' ? event.device.config : undefined;
      if (config !== undefined) configsOnOther.push(`${config.revision} ${config.state}`);
    });

    // A verdict given on the worker without the lease is learned by the holder.
    const first = incidentOf('gw-lw-1');
    const resolved = await postJson(
      `${other.url}/v1/incidents/${first.id}/resolve`,
      { outcome: 'false-alarm' },
      token,
    );
    expect(resolved.status).toBe(200);
    await pollUntil('the first decision', decisionRows, (rows) => rows.length === 1, 10_000);
    expect(learned).toEqual([`${holderName} gw-lw-1 adjust-rules`]);
    // The holder sent the device its raised thresholds; the other worker answers from the shared store.
    await pollUntil(
      'the raised thresholds on gw-lw-1',
      () => Promise.resolve(configs),
      (c) => c.length === 1,
    );
    expect(configs).toEqual(['gw-lw-1 0.9']);
    const listed = await getJson<{ decisions: LearningDecision[] }>(`${other.url}/v1/decisions`, token);
    expect(listed.decisions.map((d) => `${d.incidentId} ${d.action}`)).toEqual([`${first.id} adjust-rules`]);
    // A token made on the other worker is valid on the holder, and the holder's audit entry is in the shared log.
    const onHolder = await getJson<{ decisions: LearningDecision[] }>(`${holder.url}/v1/decisions`, token);
    expect(onHolder.decisions).toEqual(listed.decisions);
    const audit = await pollUntil(
      'the threshold change in the shared audit log',
      () => other.access.auditEntries({ limit: 20 }),
      (entries) => entries.some((e) => e.action === 'thresholds-changed'),
    );
    expect(audit.find((e) => e.action === 'thresholds-changed')).toMatchObject({
      actor: expect.stringMatching(/^token:test-admin-/) as unknown,
      subject: 'gw-lw-1',
    });
    // The holder's config delivery keeps it in the shared store: the other worker shows it pending.
    expect(other.configs.state('gw-lw-1')).toMatchObject({ revision: 1, state: 'pending' });
    await pollUntil(
      "the decision in the other worker's live view",
      () => Promise.resolve(liveOnOther),
      (l) => l.length === 1,
    );
    expect(liveOnOther).toEqual([first.id]);
    // The holder's config change redraws the device on the other worker's live view too.
    await pollUntil(
      "the pending config in the other worker's live view",
      () => Promise.resolve(configsOnOther),
      (c) => c.includes('1 pending'),
    );
    off();

    // The holder stops; a verdict given meanwhile waits in the queue for the new holder.
    await holder.stop();
    const second = incidentOf('gw-lw-2');
    const again = await postJson(
      `${other.url}/v1/incidents/${second.id}/resolve`,
      { outcome: 'false-alarm' },
      token,
    );
    expect(again.status).toBe(200);
    await pollUntil(
      'the other worker holding the learning lease',
      () => Promise.resolve(other.singletons?.held() ?? []),
      (held) => held.includes('rollout'),
      15_000,
    );
    const rows = await pollUntil('the second decision', decisionRows, (list) => list.length === 2, 10_000);
    expect(rows.map((r) => `${r.incident_id} ${r.action}`)).toEqual([
      `${first.id} adjust-rules`,
      `${second.id} adjust-rules`,
    ]);
    expect(learned).toEqual([`${holderName} gw-lw-1 adjust-rules`, `${otherName} gw-lw-2 adjust-rules`]);
    expect(await queryRows(database.url, 'SELECT seq FROM learning_outcomes')).toEqual([]);
    // Neither worker kept a learning or device-config file of its own.
    for (const name of ['worker-a', 'worker-b']) {
      for (const file of ['learning.sqlite', 'device-configs.sqlite']) {
        expect(existsSync(join(dir, name, file)), `${name}/${file}`).toBe(false);
      }
    }
  }, 90_000);
});
