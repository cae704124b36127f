import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { ModelManifest } from '../shared/model/manifest.js';
import type { ModelReport } from '../shared/model/model-report.js';
import { ModelOffer, verifyOffer } from '../shared/model/model-signature.js';
import type { AnomalyMessage, TelemetryMessage } from '../shared/schemas/messages.js';
import { deviceTopics } from '../shared/topics.js';

/**
 * Child process of the cloud benchmarks: simulated devices, each an MQTT.js
 * 3.1.1 client with its own certificate and client id = device id, as the
 * broker's policy requires. They publish valid telemetry and anomalies on
 * request and answer model offers the way a gateway would (verify the
 * signature, fetch and check the manifest and model, report 'installed').
 * Requests and replies travel over the IPC channel; times are epoch
 * milliseconds with a fraction (performance.timeOrigin + now), comparable
 * with the parent's on the same host.
 */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export type ChildRequest =
  | {
      readonly type: 'connect';
      readonly port: number;
      readonly caPath: string;
      readonly devices: readonly DeviceIdentity[];
      readonly featureNames: readonly string[];
      /** With a fleet public key the devices subscribe to their offers and install what verifies. */
      readonly fleetPublicKeyPath?: string;
      /** Whether devices fetch the model file besides the manifest. */
      readonly fetchModel?: boolean;
    }
  | { readonly type: 'announce' }
  | { readonly type: 'telemetry'; readonly periodMs: number }
  | { readonly type: 'telemetry-stop' }
  | { readonly type: 'burst'; readonly deviceIds: readonly string[]; readonly withinMs: number }
  | { readonly type: 'rollout-stats' }
  | { readonly type: 'stop' };

export interface RolloutStats {
  readonly offers: number;
  readonly verified: number;
  readonly manifests: number;
  readonly models: number;
  readonly bytes: number;
  readonly installed: number;
  /** Epoch ms of the first and last offer received and of the last report acknowledged. */
  readonly firstOfferAt: number;
  readonly lastOfferAt: number;
  readonly lastReportAt: number;
  readonly problems: readonly string[];
}

export type ChildReply =
  | { readonly type: 'connected'; readonly ms: number; readonly failed: number }
  | { readonly type: 'announced'; readonly ms: number }
  | { readonly type: 'telemetry-started' }
  | { readonly type: 'telemetry-stopped'; readonly published: number; readonly errors: number }
  | {
      readonly type: 'burst-done';
      readonly sent: readonly { id: string; at: number }[];
      readonly errors: number;
    }
  | ({ readonly type: 'rollout-stats' } & RolloutStats)
  | { readonly type: 'stopped' };

const CONNECT_CONCURRENCY = 50;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const reply = (message: ChildReply): void => void process.send?.(message);

const clients = new Map<string, MqttClient>();
let featureNames: readonly string[] = [];
let telemetryTimers: NodeJS.Timeout[] = [];
let telemetry = { published: 0, errors: 0 };
const stats = {
  offers: 0,
  verified: 0,
  manifests: 0,
  models: 0,
  bytes: 0,
  installed: 0,
  firstOfferAt: 0,
  lastOfferAt: 0,
  lastReportAt: 0,
};
const problems: string[] = [];

function telemetryOf(deviceId: string): TelemetryMessage {
  const ts = Date.now();
  const records = Array.from({ length: 10 }, (_, i) => ({
    ts: ts - (9 - i) * 1000,
    probability: 0.02 + Math.random() * 0.03,
    level: 'none' as const,
    levels: { pm25: 8 + Math.random(), co: 1.2, co2: 520, temp: 21.5, humidity: 45, tmax: 24.1, iaq: 50 },
    steps: 1,
  }));
  return { schemaVersion: 1, id: randomUUID(), deviceId, ts, records };
}

function anomalyOf(deviceId: string): AnomalyMessage {
  const features: Record<string, number | null> = {};
  for (const name of featureNames) features[name] = Math.round(Math.random() * 1000) / 100;
  Object.assign(features, { tmax_level: 95, thot_d60: 40, co_level: 60, co_d60: 45, pm25_level: 400 });
  return {
    schemaVersion: 1,
    id: randomUUID(),
    deviceId,
    ts: Date.now(),
    level: 'high',
    previousLevel: 'medium',
    probability: 0.97,
    modelVersion: 'bench',
    features,
    thermalSnapshot: null,
  };
}

async function publish(deviceId: string, kind: 'telemetry' | 'anomaly' | 'model/report', body: object) {
  const client = clients.get(deviceId);
  if (client === undefined) throw new Error(`${deviceId} is not connected`);
  await client.publishAsync(deviceTopics(deviceId)[kind], JSON.stringify(body), { qos: 1 });
}

async function fetchChecked(url: string, sha256: string, size?: number): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${String(response.status)}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (size !== undefined && bytes.byteLength !== size)
    throw new Error(`${url}: ${String(bytes.byteLength)} bytes`);
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new Error(`${url}: sha256 differs`);
  stats.bytes += bytes.byteLength;
  return bytes;
}

async function install(deviceId: string, payload: Buffer, publicKeyPem: string, fetchModel: boolean) {
  stats.offers++;
  stats.lastOfferAt = now();
  if (stats.firstOfferAt === 0) stats.firstOfferAt = stats.lastOfferAt;
  const offer = ModelOffer.parse(JSON.parse(payload.toString('utf8')));
  if (offer.deviceId !== deviceId || !verifyOffer(offer, publicKeyPem)) throw new Error('offer not verified');
  stats.verified++;
  if (!('url' in offer.source)) throw new Error('offer without a URL');
  const manifestUrl = offer.source.url;
  const raw = await fetchChecked(manifestUrl, offer.sha256, offer.size);
  stats.manifests++;
  const manifest = ModelManifest.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
  if (fetchModel) {
    const modelUrl = new URL(encodeURIComponent(manifest.model.file), manifestUrl).href;
    await fetchChecked(modelUrl, manifest.model.sha256);
    stats.models++;
  }
  const report: ModelReport = {
    offerId: offer.id,
    version: offer.version,
    status: 'installed',
    active: offer.version,
    ts: Date.now(),
  };
  await publish(deviceId, 'model/report', report);
  stats.installed++;
  stats.lastReportAt = now();
}

async function connectOne(request: Extract<ChildRequest, { type: 'connect' }>, identity: DeviceIdentity) {
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${String(request.port)}`, {
    protocolVersion: 4,
    clientId: identity.deviceId,
    ca: readFileSync(request.caPath),
    cert: readFileSync(identity.certPath),
    key: readFileSync(identity.keyPath),
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
    keepalive: 60,
  });
  clients.set(identity.deviceId, client);
  if (request.fleetPublicKeyPath === undefined) return;
  const publicKeyPem = readFileSync(request.fleetPublicKeyPath, 'utf8');
  const fetchModel = request.fetchModel ?? true;
  client.on('message', (_topic, payload) => {
    // Offers come retained; once answered, the cloud clears them with an empty retained message.
    if (payload.length === 0) return;
    install(identity.deviceId, payload, publicKeyPem, fetchModel).catch((error: unknown) => {
      if (problems.length < 10) problems.push(`${identity.deviceId}: ${String(error)}`);
    });
  });
  await client.subscribeAsync(deviceTopics(identity.deviceId)['model/offer'], { qos: 1 });
}

async function connect(request: Extract<ChildRequest, { type: 'connect' }>): Promise<ChildReply> {
  featureNames = request.featureNames;
  const started = now();
  let failed = 0;
  const queue = [...request.devices];
  await Promise.all(
    Array.from({ length: CONNECT_CONCURRENCY }, async () => {
      for (let identity = queue.shift(); identity !== undefined; identity = queue.shift()) {
        await connectOne(request, identity).catch(() => failed++);
      }
    }),
  );
  return { type: 'connected', ms: now() - started, failed };
}

/** Every device publishes telemetry every `periodMs`, their first ones spread evenly over one period. */
function startTelemetry(periodMs: number): void {
  const ids = [...clients.keys()];
  telemetry = { published: 0, errors: 0 };
  ids.forEach((deviceId, i) => {
    const send = (): void => {
      publish(deviceId, 'telemetry', telemetryOf(deviceId)).then(
        () => telemetry.published++,
        () => telemetry.errors++,
      );
    };
    const first = setTimeout(
      () => {
        send();
        telemetryTimers.push(setInterval(send, periodMs));
      },
      (i * periodMs) / ids.length,
    );
    telemetryTimers.push(first);
  });
}

async function burst(deviceIds: readonly string[], withinMs: number): Promise<ChildReply> {
  const sent: { id: string; at: number }[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = now();
  for (const [i, deviceId] of deviceIds.entries()) {
    const due = started + (i * withinMs) / deviceIds.length;
    if (due > now()) await sleep(due - now());
    const message = anomalyOf(deviceId);
    const at = now();
    sent.push({ id: message.id, at });
    pending.push(
      publish(deviceId, 'anomaly', message).catch(() => {
        errors++;
      }),
    );
  }
  await Promise.all(pending);
  return { type: 'burst-done', sent, errors };
}

async function handle(request: ChildRequest): Promise<ChildReply> {
  switch (request.type) {
    case 'connect':
      return connect(request);
    case 'announce': {
      const started = now();
      await Promise.all([...clients.keys()].map((id) => publish(id, 'telemetry', telemetryOf(id))));
      return { type: 'announced', ms: now() - started };
    }
    case 'telemetry':
      startTelemetry(request.periodMs);
      return { type: 'telemetry-started' };
    case 'telemetry-stop':
      for (const timer of telemetryTimers) clearTimeout(timer);
      telemetryTimers = [];
      return { type: 'telemetry-stopped', ...telemetry };
    case 'burst':
      return burst(request.deviceIds, request.withinMs);
    case 'rollout-stats':
      return { type: 'rollout-stats', ...stats, problems };
    case 'stop':
      for (const timer of telemetryTimers) clearTimeout(timer);
      await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
      clients.clear();
      return { type: 'stopped' };
  }
}

let chain = Promise.resolve();
process.on('message', (request: ChildRequest) => {
  // One request at a time, in order; telemetry timers and offers run beside them.
  const run = async (): Promise<void> => reply(await handle(request));
  chain = chain.then(run, run);
  if (request.type === 'stop') void chain.then(() => process.disconnect());
});
