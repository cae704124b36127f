import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../factory/registry/model-registry.js';
import { passingEvaluation } from '../factory/registry/registry-fixtures.test-helper.js';
import { FleetRollout } from '../cloud/rollout/fleet-rollout.js';
import { manifestBytes } from '../cloud/rollout/model-offers.js';
import type { RolloutProgress } from '../cloud/contracts/cloud-values.js';
import type { EdgeAgent } from '../edge/agent.js';
import { ModelReport } from '../shared/model/model-report.js';
import { generateOfferKeys } from '../shared/model/model-signature.js';
import { FolderStore } from '../shared/object-store/index.js';
import { parseTopic } from '../shared/topics.js';
import { startEdgeBed, type EdgeBed } from './edge-setup.js';
import { tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';
import { startStaticServer, type StaticServer } from './helpers/static-server.js';
import { waitFor } from './helpers/wait.js';

const DEVICES = ['gw-roll-1', 'gw-roll-2', 'gw-roll-3'];

describe('a model rollout to real edge agents over mutual TLS', () => {
  let bed: EdgeBed;
  let server: StaticServer;
  let registry: ModelRegistry;
  let cloud: MqttClient;
  const agents: EdgeAgent[] = [];
  const rollouts: FleetRollout[] = [];
  const fleetKeys = generateOfferKeys();
  /** Offers sent and reports received, in order: `offer gw-roll-1 v1`, `report gw-roll-1 installed`. */
  const log: string[] = [];

  async function register(version: string, seed: number, breakReferences = false): Promise<void> {
    const model = trainTinyModel(seed);
    const manifest = await tinyManifest(model, version);
    const referenceInputs = breakReferences
      ? manifest.referenceInputs.map((r) => ({ ...r, probability: r.probability > 0.5 ? 0 : 1 }))
      : manifest.referenceInputs;
    await registry.register({
      modelBytes: model.bytes,
      manifest: { ...manifest, referenceInputs },
      evaluation: passingEvaluation(version),
    });
    await registry.decide(version, {}, { by: 'test' });
    // The cloud API's two routes, served from what the registry holds.
    server.files.set(`/v1/models/${version}/manifest.json`, await manifestBytes(registry, version));
    server.files.set(`/v1/models/${version}/model.onnx`, (await registry.fetchModel(version)).bytes);
  }

  async function newRollout(name: string, signingKeyPem = fleetKeys.privateKeyPem): Promise<FleetRollout> {
    const rollout = new FleetRollout({
      registry,
      publisher: {
        publish: async (topic, payload) => {
          const offer = JSON.parse(payload.toString('utf8')) as { version: string };
          log.push(`offer ${parseTopic(topic)?.deviceId ?? topic} ${offer.version}`);
          await cloud.publishAsync(topic, payload, { qos: 1 });
        },
      },
      fleet: { deviceIds: () => DEVICES },
      signingKeyPem,
      databaseFile: join(bed.dir, `${name}.db`),
      settings: { publicBaseUrl: server.urlOf(''), canaryTimeoutS: 30, fleetTimeoutS: 30 },
    });
    await rollout.start();
    rollouts.push(rollout);
    return rollout;
  }

  function settled(rollout: FleetRollout, id: string): Promise<RolloutProgress> {
    return new Promise((resolve) => {
      const check = (p: RolloutProgress) => {
        if (p.id === id && p.state !== 'canary' && p.state !== 'fleet') resolve(p);
      };
      rollout.on('progress', check);
      check(rollout.get(id));
    });
  }

  async function versions(): Promise<string[]> {
    return Promise.all(agents.map(async (a) => (await a.snapshot()).modelVersion));
  }

  beforeAll(async () => {
    bed = await startEdgeBed();
    server = await startStaticServer();
    registry = new ModelRegistry({
      store: new FolderStore(join(bed.dir, 'registry')),
      catalogFile: join(bed.dir, 'registry.db'),
    });
    await registry.start();
    await register('v1', 1);
    await register('v2-badref', 2, true);
    await register('v3', 3);
    cloud = await bed.broker.service('cloud-rollout', { reconnectPeriod: 100 });
    cloud.on('message', (topic, payload) => {
      const deviceId = parseTopic(topic)?.deviceId;
      const report = ModelReport.safeParse(JSON.parse(payload.toString('utf8')));
      if (deviceId === undefined || !report.success) return;
      log.push(`report ${deviceId} ${report.data.status}`);
      for (const rollout of rollouts) void rollout.handleReport(deviceId, report.data).catch(() => undefined);
    });
    await cloud.subscribeAsync('emberwatch/v1/+/model/report', { qos: 1 });
    const keyPath = join(bed.dir, 'fleet.pub');
    await writeFile(keyPath, fleetKeys.publicKeyPem);
    for (const deviceId of DEVICES) {
      const sensors = [{ id: 'pms5003', protocol: 'pms5003' as const, path: join(bed.dir, 'no-such-port') }];
      const config = await bed.config(deviceId, sensors, {
        model: { dir: join(bed.dir, `${deviceId}-models`), fleetPublicKeyPath: keyPath },
      });
      const agent = await bed.agent(config);
      await agent.start();
      agents.push(agent);
    }
    await waitFor('every link online', () => agents.every((a) => a.linkOnline), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const rollout of rollouts) await rollout.stop();
    await cloud.endAsync(true);
    await bed.close();
    await registry.stop();
    await server.stop();
  });

  it('offers to the canary first, then to the rest, and completes with every device on the new version', async () => {
    expect(await versions()).toEqual(['rules', 'rules', 'rules']);
    const rollout = await newRollout('first');
    log.length = 0;
    const started = await rollout.start({ version: 'v1' });
    const canary = started.devices.find((d) => d.canary)?.deviceId ?? '';
    expect(started.devices.filter((d) => d.canary).map((d) => d.deviceId)).toEqual([canary]);
    const done = await settled(rollout, started.id);
    expect(done.state).toBe('completed');
    expect(done.devices.map((d) => d.status)).toEqual(['installed', 'installed', 'installed']);
    expect(log.slice(0, 2)).toEqual([`offer ${canary} v1`, `report ${canary} installed`]);
    expect(
      log
        .slice(2)
        .filter((l) => l.startsWith('offer'))
        .sort(),
    ).toEqual(DEVICES.filter((d) => d !== canary).map((d) => `offer ${d} v1`));
    expect(await versions()).toEqual(['v1', 'v1', 'v1']);
    expect(server.requests).toContain('/v1/models/v1/model.onnx');
  }, 60_000);

  it('stops and rolls back when the canary refuses a model whose reference outputs are wrong', async () => {
    // The same rollout service: it saw each device report v1 as active.
    const rollout = rollouts[0];
    if (rollout === undefined) throw new Error('the first rollout did not run');
    log.length = 0;
    const started = await rollout.start({ version: 'v2-badref', canaries: ['gw-roll-2'] });
    const done = await settled(rollout, started.id);
    expect(done.state).toBe('rolled-back');
    expect(done.reason).toMatch(/^canary gw-roll-2 rejected \(EMBER_ERR_MODEL_REFERENCE: /);
    expect(done.previousVersion).toBe('v1');
    expect(log.filter((l) => l.startsWith('offer'))).toEqual(['offer gw-roll-2 v2-badref']);
    expect(done.devices.map((d) => [d.deviceId, d.status])).toEqual([
      ['gw-roll-2', 'rejected'],
      ['gw-roll-1', 'pending'],
      ['gw-roll-3', 'pending'],
    ]);
    expect(await versions()).toEqual(['v1', 'v1', 'v1']);
  }, 60_000);

  it('stops when the offer is signed by a key the devices do not trust', async () => {
    const rogue = generateOfferKeys();
    const rollout = await newRollout('rogue', rogue.privateKeyPem);
    log.length = 0;
    const started = await rollout.start({ version: 'v3', canaries: ['gw-roll-3'] });
    const done = await settled(rollout, started.id);
    expect(done.state).toBe('rolled-back');
    expect(done.reason).toMatch(/^canary gw-roll-3 rejected \(EMBER_ERR_OFFER_SIGNATURE: .*does not trust/);
    expect(log.filter((l) => l.startsWith('offer'))).toEqual(['offer gw-roll-3 v3']);
    expect(await versions()).toEqual(['v1', 'v1', 'v1']);
  }, 60_000);
});
