import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../factory/registry/model-registry.js';
import { passingEvaluation } from '../factory/registry/registry-fixtures.test-helper.js';
import type { OperatorAlert, RolloutProgress } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import type { EdgeAgent } from '../edge/agent.js';
import { generateOfferKeys } from '../shared/model/model-signature.js';
import { FolderStore } from '../shared/object-store/index.js';
import { parseTopic } from '../shared/topics.js';
import { startEdgeBed, type EdgeBed } from './edge-setup.js';
import {
  apiToken,
  cloudConfig,
  freePort,
  getJson,
  pollUntil,
  postJson,
  writeServiceFiles,
} from './helpers/cloud-bed.js';
import { tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';
import { waitFor } from './helpers/wait.js';

const DEVICES = ['gw-e2e-r1', 'gw-e2e-r2', 'gw-e2e-r3'];
/** Approved in the registry, but its manifest's reference outputs are the opposite of what the model says. */
const BAD_VERSION = 'v-badref';

describe('cloud end to end: a rollout whose canary refuses the model', () => {
  let bed: EdgeBed;
  let cloud: CloudService;
  let watcher: MqttClient;
  const agents: EdgeAgent[] = [];
  /** `deviceId version` of every offer the broker carried. */
  const offers: string[] = [];
  const sources: string[] = [];
  let token: string;
  const cleared: string[] = [];

  beforeAll(async () => {
    bed = await startEdgeBed();
    const storeDir = join(bed.dir, 'registry');
    const catalogFile = join(bed.dir, 'catalog.sqlite');
    await mkdir(storeDir);
    const seeding = new ModelRegistry({ store: new FolderStore(storeDir), catalogFile });
    await seeding.start();
    const model = trainTinyModel(5);
    const manifest = await tinyManifest(model, BAD_VERSION);
    await seeding.register({
      modelBytes: model.bytes,
      manifest: {
        ...manifest,
        referenceInputs: manifest.referenceInputs.map((r) => ({
          ...r,
          probability: r.probability > 0.5 ? 0 : 1,
        })),
      },
      evaluation: passingEvaluation(BAD_VERSION),
    });
    await seeding.decide(BAD_VERSION, {}, { by: 'test' });
    await seeding.stop();

    const keys = generateOfferKeys();
    const privateKeyPath = join(bed.dir, 'fleet-private.pem');
    const publicKeyPath = join(bed.dir, 'fleet-public.pem');
    await writeFile(privateKeyPath, keys.privateKeyPem, { mode: 0o600 });
    await writeFile(publicKeyPath, keys.publicKeyPem);
    const files = await writeServiceFiles(bed.broker, bed.dir);
    const dataDir = join(bed.dir, 'cloud');
    await mkdir(dataDir);
    // Devices download from the API's public URL, each offer with its own signed grant.
    const port = await freePort();
    cloud = await CloudService.create({
      config: cloudConfig(bed.broker, files, dataDir, {
        http: { host: '127.0.0.1', port, publicBaseUrl: `http://127.0.0.1:${String(port)}` },
        registry: { store: storeDir, catalogFile },
        fleetKey: { privateKeyPath },
        alerts: { evaluateEveryS: 0.2 },
        rollout: { canaryShare: 0.1, canaryTimeoutS: 30, fleetTimeoutS: 30 },
      }),
    });
    await cloud.start();
    token = await apiToken(cloud, 'admin');

    watcher = await bed.broker.service('offer-watcher', { reconnectPeriod: 100 });
    watcher.on('message', (topic, payload) => {
      const deviceId = parseTopic(topic)?.deviceId ?? topic;
      // Offers go retained; once a device answered everything, the cloud clears its retained offer.
      if (payload.length === 0) {
        cleared.push(deviceId);
        return;
      }
      const offer = JSON.parse(payload.toString('utf8')) as { version?: string; source?: { url?: string } };
      offers.push(`${deviceId} ${offer.version ?? '?'}`);
      sources.push(offer.source?.url ?? '');
    });
    await watcher.subscribeAsync('emberwatch/v1/+/model/offer', { qos: 1 });

    for (const deviceId of DEVICES) {
      const sensors = [{ id: 'pms5003', protocol: 'pms5003' as const, path: join(bed.dir, 'no-such-port') }];
      const config = await bed.config(deviceId, sensors, {
        model: { dir: join(bed.dir, `${deviceId}-models`), fleetPublicKeyPath: publicKeyPath },
      });
      const agent = await bed.agent(config);
      await agent.start();
      agents.push(agent);
    }
    await waitFor('every link online', () => agents.every((a) => a.linkOnline), 10_000);
    await pollUntil(
      'every gateway known to the cloud',
      () => getJson<{ devices: { deviceId: string }[] }>(`${cloud.url}/v1/devices`, token),
      (list) => DEVICES.every((id) => list.devices.some((d) => d.deviceId === id)),
    );
  }, 50_000);

  afterAll(async () => {
    await watcher.endAsync(true);
    await cloud.stop();
    await bed.close();
  });

  it('stops at the canary, offers nothing to the rest, rolls back and raises an operator alert', async () => {
    const answer = await postJson(
      `${cloud.url}/v1/rollouts`,
      { version: BAD_VERSION, canaryShare: 0.34 },
      token,
    );
    expect(answer.status).toBe(201);
    const started = answer.body as { rollout: RolloutProgress };
    const canaries = started.rollout.devices.filter((d) => d.canary).map((d) => d.deviceId);
    expect(canaries).toHaveLength(1);
    const canary = canaries[0] ?? '';
    expect(DEVICES).toContain(canary);

    const { rollouts } = await pollUntil(
      'the rollout to settle',
      () => getJson<{ rollouts: RolloutProgress[] }>(`${cloud.url}/v1/rollouts`, token),
      (list) => list.rollouts.some((r) => r.id === started.rollout.id && r.state !== 'canary'),
      20_000,
    );
    const done = rollouts.find((r) => r.id === started.rollout.id);
    expect(done?.state).toBe('rolled-back');
    expect(done?.reason).toMatch(new RegExp(`^canary ${canary} rejected \\(EMBER_ERR_MODEL_REFERENCE: `));
    const statuses = Object.fromEntries(done?.devices.map((d) => [d.deviceId, d.status]) ?? []);
    expect(statuses).toEqual(
      Object.fromEntries(DEVICES.map((id) => [id, id === canary ? 'rejected' : 'pending'])),
    );
    await waitFor('the canary offer seen on the broker', () => offers.length > 0);
    expect(offers).toEqual([`${canary} ${BAD_VERSION}`]);
    // The canary fetched the model through its signed URL (it judged the model, so it had it).
    expect(sources[0]).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:\\d+/v1/device-models/${canary}\\.\\d+\\.[\\w-]+/${BAD_VERSION}/manifest\\.json$`,
      ),
    );
    const audit = (
      await getJson<{ entries: { actor: string; action: string; subject: string }[] }>(
        `${cloud.url}/v1/audit`,
        token,
      )
    ).entries;
    expect(audit[0]).toMatchObject({ action: 'rollout-started', subject: BAD_VERSION });
    expect(audit[0]?.actor).toMatch(/^token:test-admin-/);
    await waitFor('the answered offer cleared', () => cleared.includes(canary));
    for (const agent of agents) expect((await agent.snapshot()).modelVersion).toBe('rules');

    const { alerts } = await pollUntil(
      'an operator alert for the failed rollout',
      () => getJson<{ alerts: OperatorAlert[] }>(`${cloud.url}/v1/alerts`, token),
      (list) => list.alerts.some((a) => a.rule === 'rollout-failed' && a.active),
    );
    const alert = alerts.find((a) => a.rule === 'rollout-failed');
    expect(alert?.subject).toBe(started.rollout.id);
    expect(alert?.message).toContain(`rollout of model ${BAD_VERSION} rolled-back`);
    // Nothing more was offered while the alert was raised.
    expect(offers).toEqual([`${canary} ${BAD_VERSION}`]);
  }, 40_000);
});
