import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDemoFleet, type RunningDemoFleet } from '../cli/demo/run-demo-fleet.js';
import { prepareWorkspace, type DemoWorkspace } from '../cli/demo/workspace.js';
import { ModelRegistry } from '../factory/registry/model-registry.js';
import { isEmberError } from '../shared/errors.js';
import { ModelReport } from '../shared/model/model-report.js';
import { keyIdOf, signOffer } from '../shared/model/model-signature.js';
import { loadModelDir, writeModelDir } from '../shared/model/model-dir.js';
import { openObjectStore } from '../shared/object-store/index.js';
import { levelRank } from '../shared/alarm/alarm-policy.js';
import { fleetGateways } from '../simulators/fleet/fleet-zones.js';
import { GatewayTimeline } from '../simulators/fleet/gateway-timeline.js';
import { checkTimeline, type RunCheck } from '../simulators/fleet/timeline-check.js';
import { AnomalyMessage, TelemetryMessage } from '../shared/schemas/messages.js';
import { deviceTopics, parseTopic } from '../shared/topics.js';
import { waitFor } from './helpers/wait.js';

const DEVICES = ['gw-01', 'gw-02'];

/** Every file a workspace keeps its identity in, with its contents. */
function identityFiles(ws: DemoWorkspace): Record<string, string> {
  const paths = [
    ws.ca.certPath,
    ws.ca.keyPath,
    ws.broker.certPath,
    ws.broker.keyPath,
    ws.service.certPath,
    ws.service.keyPath,
    ws.offerKeys.privateKeyPath,
    ws.offerKeys.publicKeyPath,
    ...ws.devices.flatMap((d) => [d.certPath, d.keyPath]),
  ];
  return Object.fromEntries(paths.map((p) => [p, readFileSync(p, 'utf8')]));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("the demo's default schedule, played offline through the shipped model", () => {
  it('raises nothing above low on a non-fire run in the first 30 emulated minutes, and high on the opening fire', async () => {
    const model = await loadModelDir(join(import.meta.dirname, '..', 'models', 'default'));
    try {
      const policy = model.manifest.alarm;
      const checks: RunCheck[] = [];
      for (const gateway of fleetGateways(3)) {
        checks.push(...(await checkTimeline(new GatewayTimeline(1, gateway), model, policy, 1800)));
      }
      const label = (c: RunCheck) => `${c.run.gatewayId} #${String(c.run.index)} ${c.run.template}`;
      const quiet = checks.filter((c) => c.run.kind !== 'fire');
      // Toast then shower on gw-02: the handover between them once raised medium.
      expect(quiet.map(label)).toContain('gw-02 #1 shower');
      for (const check of quiet) {
        expect(levelRank(check.raisedTo), `${label(check)} raised ${check.raisedTo}`).toBeLessThan(
          levelRank('medium'),
        );
      }
      const opening = checks.find((c) => c.run.gatewayId === 'gw-01' && c.run.index === 0);
      expect(opening?.raisedTo).toBe('high');
      expect(opening?.firstHighS ?? -1).toBeGreaterThanOrEqual(opening?.run.ignitionS ?? Infinity);
      for (const fire of checks.filter((c) => c.run.kind === 'fire' && c.complete)) {
        expect(fire.raisedTo, label(fire)).toBe('high');
      }
    } finally {
      await model.close();
    }
  }, 60_000);
});

describe('the demo workspace', () => {
  it('is provisioned once and reused unchanged, with the shipped model approved and a rollout candidate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emberwatch-demo-ws-'));
    try {
      const first = await prepareWorkspace(dir, { devices: DEVICES });
      const before = identityFiles(first);
      const second = await prepareWorkspace(dir, { devices: DEVICES });
      expect(second).toEqual(first);
      expect(identityFiles(second)).toEqual(before);
      expect(statSync(first.offerKeys.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(keyIdOf(readFileSync(first.offerKeys.publicKeyPath, 'utf8'))).toBe(first.offerKeys.keyId);

      const store = openObjectStore(first.registry.storeDir);
      const registry = new ModelRegistry({ store, catalogFile: first.registry.catalogFile });
      await registry.start();
      try {
        expect((await registry.current())?.version).toBe(first.registry.defaultVersion);
        const models = await registry.list();
        expect(models.map((m) => [m.version, m.status]).sort()).toEqual(
          [
            [first.registry.defaultVersion, 'approved'],
            [first.registry.rolloutVersion, 'candidate'],
          ].sort(),
        );
        // The rollout model is its own artefact, and a device's own checks (checksum, features, reference inputs) accept it.
        const rollout = await registry.fetchModel(first.registry.rolloutVersion);
        const shipped = await registry.fetchModel(first.registry.defaultVersion);
        expect(rollout.manifest.model.sha256).not.toBe(shipped.manifest.model.sha256);
        const modelDir = join(dir, 'rollout-check');
        await writeModelDir(modelDir, rollout.manifest, rollout.bytes);
        const model = await loadModelDir(modelDir);
        expect(model.version).toBe(first.registry.rolloutVersion);
        await model.close();
      } finally {
        await registry.stop();
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a damaged certificate or a half-written key pair with one line naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emberwatch-demo-ws-'));
    try {
      const ws = await prepareWorkspace(dir, { devices: DEVICES });
      const [one, two] = ws.devices;
      if (one === undefined || two === undefined) throw new Error('two devices expected');

      writeFileSync(one.certPath, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n');
      const corrupt = await failure(prepareWorkspace(dir, { devices: DEVICES }));
      expect(isEmberError(corrupt, 'EMBER_ERR_PKI'), String(corrupt)).toBe(true);
      expect(corrupt.message).toContain(one.certPath);
      expect(corrupt.message).not.toContain('\n');

      writeFileSync(one.certPath, readFileSync(two.certPath));
      const foreign = await failure(prepareWorkspace(dir, { devices: DEVICES }));
      expect(foreign.message).toContain(one.certPath);

      writeFileSync(one.certPath, readFileSync(ws.ca.certPath, 'utf8'));
      unlinkSync(two.keyPath);
      const halfWritten = await failure(prepareWorkspace(dir, { devices: DEVICES.slice(1) }));
      expect(isEmberError(halfWritten, 'EMBER_ERR_PKI')).toBe(true);
      expect(halfWritten.message).toContain(two.keyPath);

      writeFileSync(ws.offerKeys.privateKeyPath, 'garbage');
      const badKey = await failure(prepareWorkspace(dir, { devices: [] }));
      expect(isEmberError(badKey, 'EMBER_ERR_SIGNING_KEY'), String(badKey)).toBe(true);
      expect(badKey.message).toContain(ws.offerKeys.privateKeyPath);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

/** Long-lived handles (servers, sockets, ttys, child processes), sorted: timers and file requests come and go. */
function openHandles(): string {
  const passing = (kind: string) => kind === 'Timeout' || kind === 'Immediate' || kind.startsWith('FSReq');
  return process
    .getActiveResourcesInfo()
    .filter((kind) => !passing(kind))
    .sort()
    .join(',');
}

/** Command lines of running socat processes that use `dir`. */
function socatsUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('socat') && line.includes(dir));
}

/** What a service subscribed to every gateway sees: which gateways sent telemetry, and every high anomaly. */
async function observe(demo: RunningDemoFleet) {
  const { workspace } = demo;
  const [ca, key, cert] = await Promise.all([
    readFile(workspace.ca.certPath),
    readFile(workspace.service.keyPath),
    readFile(workspace.service.certPath),
  ]);
  const client = await mqtt.connectAsync(demo.brokerUrl, {
    clientId: `demo-fleet-test-${String(demo.brokerPort)}`,
    ca,
    key,
    cert,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  const seen = { telemetry: new Set<string>(), high: [] as AnomalyMessage[], reports: [] as ModelReport[] };
  client.on('message', (topic, payload) => {
    const kind = parseTopic(topic)?.kind;
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (kind === 'telemetry') seen.telemetry.add(TelemetryMessage.parse(body).deviceId);
    if (kind === 'anomaly') {
      const anomaly = AnomalyMessage.parse(body);
      if (anomaly.level === 'high') seen.high.push(anomaly);
    }
    if (kind === 'model/report') seen.reports.push(ModelReport.parse(body));
  });
  const topics = ['telemetry', 'anomaly', 'model/report'].map((kind) => `emberwatch/v1/+/${kind}`);
  await client.subscribeAsync(topics, { qos: 1 });
  return { client, seen };
}

describe('the demo fleet on a real broker', () => {
  let dir: string;
  let demo: RunningDemoFleet | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-demo-fleet-'));
  });
  afterEach(async () => {
    await demo?.stop();
    demo = undefined;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectFireSeen(
    running: RunningDemoFleet,
    then: (observed: Awaited<ReturnType<typeof observe>>) => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const observed = await observe(running);
    const { client, seen } = observed;
    try {
      await waitFor('telemetry from both gateways', () => seen.telemetry.size === 2, 30_000);
      await waitFor('a high anomaly', () => seen.high.length > 0, 30_000);
      expect(seen.high.map((a) => a.deviceId)).toContain('gw-01');
      expect(seen.high.every((a) => a.deviceId === 'gw-01')).toBe(true);
      expect(seen.high[0]?.modelVersion).toBe(running.workspace.registry.defaultVersion);
      await then(observed);
    } finally {
      await client.endAsync();
    }
  }

  it('brings telemetry from every gateway and a high anomaly from the opening fire to a service', async () => {
    const handles = openHandles();
    demo = await runDemoFleet({ dataDir: join(dir, 'pty'), gateways: 2, speed: 20, brokerPort: 0 });
    const { fleet } = demo;
    expect(fleet.transport).toBe('pty');
    const opening = fleet.schedule.filter((run) => run.index === 0);
    expect(opening.map((r) => [r.gatewayId, r.kind])).toEqual([
      ['gw-01', 'fire'],
      ['gw-02', 'nuisance'],
    ]);
    expect(demo.zones).toEqual({ 'east-wing': ['gw-01'], 'west-wing': ['gw-02'] });

    await expectFireSeen(demo);

    const runDir = fleet.runDir;
    if (runDir === undefined) throw new Error('a pty fleet has a run folder');
    expect(socatsUsing(runDir).length).toBe(10);
    await demo.stop();
    expect(socatsUsing(runDir)).toEqual([]);
    // A closed server's handle is released on the next turn of the event loop.
    await waitFor('the fleet’s handles to close', () => openHandles() === handles, 2000);
  }, 60_000);

  it("does the same on serialport's in-process binding, and a gateway installs the signed rollout model", async () => {
    const handles = openHandles();
    demo = await runDemoFleet({
      dataDir: join(dir, 'mock'),
      gateways: 2,
      speed: 20,
      brokerPort: 0,
      transport: 'mock',
    });
    expect(demo.fleet.transport).toBe('mock');
    expect(demo.fleet.runDir).toBeUndefined();
    const { workspace } = demo;
    await expectFireSeen(demo, async ({ client, seen }) => {
      // The rollout model, offered by object key in the registry's store and signed with the fleet key, installs.
      const version = workspace.registry.rolloutVersion;
      const manifest = await readFile(join(workspace.registry.storeDir, 'models', version, 'manifest.json'));
      const offer = signOffer(
        {
          schemaVersion: 3,
          id: 'offer-demo-test',
          sequence: 1,
          deviceId: 'gw-02',
          version,
          sha256: createHash('sha256').update(manifest).digest('hex'),
          size: manifest.byteLength,
          source: { objectKey: `models/${version}/manifest.json` },
          issuedAt: Date.now(),
          expiresAt: Date.now() + 3_600_000,
        },
        await readFile(workspace.offerKeys.privateKeyPath, 'utf8'),
      );
      await client.publishAsync(deviceTopics('gw-02')['model/offer'], JSON.stringify(offer), { qos: 1 });
      await waitFor('a model report', () => seen.reports.length > 0, 20_000);
      expect(seen.reports[0]).toMatchObject({ offerId: 'offer-demo-test', version, status: 'installed' });
    });
    await demo.stop();
    // A closed server's handle is released on the next turn of the event loop.
    await waitFor('the fleet’s handles to close', () => openHandles() === handles, 2000);
  }, 60_000);
});
