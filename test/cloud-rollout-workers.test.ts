import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRegistration } from '../factory/registry/registry-fixtures.test-helper.js';
import { ModelRegistry } from '../factory/registry/model-registry.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { generateOfferKeys } from '../shared/model/model-signature.js';
import { FolderStore } from '../shared/object-store/index.js';
import { deviceTopics } from '../shared/topics.js';
import {
  apiToken,
  cloudConfig,
  deviceClient,
  getJson,
  pollUntil,
  postJson,
  writeServiceFiles,
} from './helpers/cloud-bed.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { startTestPostgres, type TestDatabase, type TestPostgres } from './helpers/postgres.js';

const DEVICES = ['gw-rw-1', 'gw-rw-2', 'gw-rw-3', 'gw-rw-4'];

/**
 * Two cloud workers on one PostgreSQL database behind a shared
 * subscription, with a registry and a fleet key: the one holding the
 * rollout lease runs the rollout, the devices' reports reach either worker,
 * and when the leader stops the other carries the rollout to its end.
 */
describe('a rollout across two cloud workers sharing PostgreSQL', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let broker: LinkBroker;
  let dir: string;
  const workers: CloudService[] = [];
  const devices: MqttClient[] = [];
  /** `deviceId version` of every offer a device got, in order. */
  const offers: string[] = [];
  let silent = new Set<string>(['gw-rw-3', 'gw-rw-4']);

  beforeAll(async () => {
    server = await startTestPostgres();
    database = await server.createDatabase();
    broker = await mosquittoLinkBroker('mqtt5');
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-rollout-workers-'));
    const files = await writeServiceFiles(broker, dir);
    const storeDir = join(dir, 'registry');
    const catalogFile = join(dir, 'catalog.sqlite');
    await mkdir(storeDir);
    const seeding = new ModelRegistry({ store: new FolderStore(storeDir), catalogFile });
    await seeding.start();
    await seeding.register(fakeRegistration('m-shared'));
    await seeding.decide('m-shared', {}, { by: 'test' });
    await seeding.stop();
    const keys = generateOfferKeys();
    const privateKeyPath = join(dir, 'fleet-private.pem');
    await writeFile(privateKeyPath, keys.privateKeyPem, { mode: 0o600 });

    for (const deviceId of DEVICES) {
      const device = await deviceClient(broker, deviceId);
      devices.push(device);
      const topics = deviceTopics(deviceId);
      device.on('message', (topic, payload) => {
        if (topic !== topics['model/offer'] || payload.length === 0) return;
        const offer = JSON.parse(payload.toString('utf8')) as { id: string; version: string };
        offers.push(`${deviceId} ${offer.version}`);
        if (silent.has(deviceId)) return;
        const report = {
          offerId: offer.id,
          version: offer.version,
          status: 'installed',
          active: offer.version,
          ts: Date.now(),
        };
        void device.publishAsync(topics['model/report'], JSON.stringify(report), { qos: 1 });
      });
      await device.subscribeAsync(topics['model/offer'], { qos: 1 });
    }

    for (const name of ['worker-a', 'worker-b']) {
      const base = cloudConfig(broker, files, join(dir, name), {
        database: database.url,
        registry: { store: storeDir, catalogFile },
        fleetKey: { privateKeyPath },
        rollout: { canaryTimeoutS: 120, fleetTimeoutS: 120, observation: { windowS: 0.5 } },
      });
      const config = {
        ...base,
        // Clean sessions: the leader leaves for good here, and a persistent session would keep
        // taking its share of the group's messages until it came back (docs/operations.md).
        broker: { ...base.broker, protocol: 'mqtt5' as const, sharedGroup: 'cloud', sessionExpiryS: 0 },
      };
      const worker = await CloudService.create({ config, clientId: `cloud-${name}` });
      workers.push(worker);
      await worker.start();
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

  it("shares the registry's catalogue: a model registered on one worker is decided once through either", async () => {
    const [one, two] = workers;
    const registry = one?.models?.registry;
    if (one === undefined || two === undefined || registry === undefined) throw new Error('two registries');
    await registry.register(fakeRegistration('m-race'));
    const token = await apiToken(one);
    const listed = await getJson<{ models: { version: string; status: string }[] }>(
      `${two.url}/v1/models`,
      token,
    );
    expect(listed.models.find((m) => m.version === 'm-race')?.status).toBe('candidate');
    // The same rejection through both workers' APIs at once: one decision, one refusal.
    const answers = await Promise.all(
      [one, two].map((worker) =>
        postJson(`${worker.url}/v1/models/m-race/reject`, { reason: 'not this one' }, token),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const shown = await two.models?.registry.show('m-race');
    expect(shown?.decisions.map((d) => [d.seq, d.to])).toEqual([[1, 'rejected']]);
  });

  it('runs the rollout on the lease holder only and hands it over when that worker stops', async () => {
    const leaders = workers.filter((worker) => worker.singletons?.held().includes('rollout'));
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const other = workers.find((worker) => worker !== leader);
    if (leader === undefined || other === undefined) throw new Error('two workers');
    const leaderRollout = leader.models?.rollout;
    const otherRollout = other.models?.rollout;
    if (leaderRollout === undefined || otherRollout === undefined) throw new Error('rollouts configured');

    await expect(otherRollout.start({ version: 'm-shared', devices: DEVICES })).rejects.toMatchObject({
      code: 'EMBER_ERR_ROLLOUT',
    });
    const started = await leaderRollout.start({
      version: 'm-shared',
      devices: DEVICES,
      canaries: ['gw-rw-1'],
    });
    expect(otherRollout.active()?.id).toBe(started.id);
    // The canary's report and gw-rw-2's reach either worker; the fleet phase needs the canary's.
    await pollUntil(
      'the fleet phase with gw-rw-2 installed',
      () => Promise.resolve(otherRollout.get(started.id)),
      (progress) =>
        progress.state === 'fleet' &&
        progress.devices.some((d) => d.deviceId === 'gw-rw-2' && d.status === 'installed'),
      30_000,
    );

    const reportsBefore = workers.map((worker) => worker.ingest.stats().received.report);
    console.log(`model reports received per worker before the hand-over: ${reportsBefore.join(', ')}`);
    expect(reportsBefore.reduce((a, b) => a + b)).toBe(2);

    // The leader stops with two devices silent; the other worker takes the lease and the rollout over.
    await leader.stop();
    silent = new Set();
    await pollUntil(
      'the other worker holding the rollout lease',
      () => Promise.resolve(other.singletons?.held() ?? []),
      (held) => held.includes('rollout'),
      15_000,
    );
    const done = await pollUntil(
      'the rollout completing on the other worker',
      () => Promise.resolve(otherRollout.get(started.id)),
      (progress) => progress.state === 'completed',
      30_000,
    );
    expect(done.devices.map((d) => `${d.deviceId} ${d.status}`).sort()).toEqual(
      DEVICES.map((id) => `${id} installed`),
    );
    // The silent devices got their offer again from the new leader; the others only once.
    expect(DEVICES.map((id) => offers.filter((o) => o === `${id} m-shared`).length)).toEqual([1, 1, 2, 2]);
  }, 90_000);
});
