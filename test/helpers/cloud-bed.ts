import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  parseCloudConfig,
  type CloudConfig,
  type CloudConfigInput,
} from '../../cloud/config/cloud-config.js';
import type { Role } from '../../cloud/access/roles.js';
import type { CloudService } from '../../cloud/service/cloud-service.js';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { AnomalyMessage } from '../../shared/schemas/messages.js';
import type { LinkBroker } from './link-brokers.js';

/** One webhook call the receiver took: the path it was posted to and its JSON body. */
export interface WebhookCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** The body as sent, for checking its signature. */
  readonly text: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A local HTTP server standing in for every webhook: it answers 200 and keeps what it was sent. */
export interface WebhookReceiver {
  readonly calls: WebhookCall[];
  url(path: string): string;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsed: text };
      }
      calls.push({ path: request.url ?? '', body, text, headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    calls,
    url: (path) => `http://127.0.0.1:${String(port)}${path}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The cloud's service certificate and the CA, written into `dir` for a config file to name. */
export interface ServiceFiles {
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export async function writeServiceFiles(
  broker: LinkBroker,
  dir: string,
  name = 'cloud',
): Promise<ServiceFiles> {
  const identity = await broker.pki.service(name);
  const files = {
    caPath: join(dir, `${name}-ca.crt`),
    certPath: join(dir, `${name}.crt`),
    keyPath: join(dir, `${name}.key`),
  };
  await writeFile(files.caPath, broker.pki.ca.certPem);
  await writeFile(files.certPath, identity.certPem);
  await writeFile(files.keyPath, identity.keyPem, { mode: 0o600 });
  return files;
}

/** The broker section of a cloud config for the embedded broker (MQTT 3.1.1) of `broker`. */
export function brokerSection(broker: LinkBroker, files: ServiceFiles): CloudConfigInput['broker'] {
  return { host: '127.0.0.1', port: broker.port, protocol: 'mqtt311', ...files };
}

/** A validated cloud config: the broker, `dataDir`, HTTP on a free loopback port and whatever `extra` adds. */
export function cloudConfig(
  broker: LinkBroker,
  files: ServiceFiles,
  dataDir: string,
  extra: Partial<CloudConfigInput> = {},
): CloudConfig {
  return parseCloudConfig(
    { broker: brokerSection(broker, files), dataDir, http: { host: '127.0.0.1', port: 0 }, ...extra },
    { env: {} },
  );
}

/** An MQTT client holding `deviceId`'s certificate, connecting as that device (the broker wants its id as client id). */
export async function deviceClient(broker: LinkBroker, deviceId: string): Promise<MqttClient> {
  const identity = await broker.pki.device(deviceId);
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${String(broker.port)}`, {
    protocolVersion: 4,
    clientId: deviceId,
    reconnectPeriod: 0,
    connectTimeout: 3000,
    ca: broker.pki.ca.certPem,
    key: identity.keyPem,
    cert: identity.certPem,
  });
  client.on('error', () => undefined);
  return client;
}

/** An anomaly message as an edge agent builds it. */
export function anomalyMessage(
  deviceId: string,
  level: AlarmLevel,
  probability: number,
  id: string = randomUUID(),
): AnomalyMessage {
  return {
    schemaVersion: 1,
    id,
    deviceId,
    ts: Date.now(),
    level,
    previousLevel: 'none',
    probability,
    modelVersion: 'rules',
    features: { 'temp.mean': 41.5, 'pm25.slope': 3.2 },
    thermalSnapshot: null,
  };
}

/** An API token of `role` made through the cloud's own user and token administration. */
export async function apiToken(cloud: CloudService, role: Role = 'admin'): Promise<string> {
  const made = await cloud.accessAdmin.createToken(
    { name: `test-${role}-${randomUUID().slice(0, 6)}`, role },
    'test',
  );
  return made.token;
}

function authorization(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** GETs `url` (with an API token when given) and returns its JSON body; throws on any status other than 200. */
export async function getJson<T>(url: string, token?: string): Promise<T> {
  const response = await fetch(url, { headers: authorization(token) });
  if (response.status !== 200)
    throw new Error(`GET ${url}: ${String(response.status)} ${await response.text()}`);
  return (await response.json()) as T;
}

/** POSTs JSON to `url` (with an API token when given), returning the status and the decoded JSON answer. */
export async function postJson(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorization(token) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Polls `read` every 100 ms until `accept` holds for its answer; rejects after `timeoutMs` naming `what`. */
export async function pollUntil<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? String(lastError) : JSON.stringify(last).slice(0, 600);
      throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}; last: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of a Prometheus sample line `name{labels} value` in `text`, 0 when absent. */
export function metricValue(text: string, name: string, labels = ''): number {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

/** A TCP port nothing listens on right now, for a server whose URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
