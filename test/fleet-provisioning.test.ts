import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import { issueServiceCertificate } from '../shared/pki/issue-certificate.js';
import { crypto, x509 } from '../shared/pki/x509.js';
import { generateKeyPair } from '../shared/pki/key-pair.js';
import { CLI, jsonLines, runCli } from './helpers/run-cli.js';
import { waitFor } from './helpers/wait.js';

const TEMPLATE = 'EmberwatchFleet';
const CREATE_CSR = '$aws/certificates/create-from-csr/json';
const REGISTER = `$aws/provisioning-templates/${TEMPLATE}/provision/json`;

interface Files {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca: Buffer;
}

/** `emberwatch broker` as a process, until stop(). */
async function startBroker(
  dir: string,
): Promise<{ port: number; process: ChildProcess; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'broker', '--port', '0', '--ca', join(dir, 'ca'), '--data', join(dir, 'broker')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await waitFor('the broker line', () => stdout.includes('"port"') || child.exitCode !== null, 20_000);
  const [line] = jsonLines(stdout);
  if (line === undefined) throw new Error(`the broker did not start:\n${stderr}`);
  return { port: line['port'] as number, process: child, stderr: () => stderr };
}

function open(port: number, files: Files, clientId: string): MqttClient {
  const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId,
    key: files.key,
    cert: files.cert,
    ca: files.ca,
  });
  client.on('error', () => undefined);
  return client;
}

async function connect(port: number, files: Files, clientId: string): Promise<MqttClient> {
  const client = open(port, files, clientId);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('close', () => reject(new Error(`${clientId}: closed before CONNACK`)));
  });
  return client;
}

/** One request of the provisioning API by hand: subscribe to both replies, publish, wait for one. */
async function request(
  client: MqttClient,
  topic: string,
  body: unknown,
): Promise<{ topic: string; body: Record<string, unknown> }> {
  await client.subscribeAsync([`${topic}/accepted`, `${topic}/rejected`], { qos: 1 });
  const reply = new Promise<{ topic: string; body: Record<string, unknown> }>((resolve) =>
    client.once('message', (replyTopic, payload) =>
      resolve({ topic: replyTopic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> }),
    ),
  );
  await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
  return reply;
}

/** The QoS the broker grants a subscription, 128 for a refusal (MQTT.js rejects those). */
async function grantOf(client: MqttClient, filter: string): Promise<number> {
  return client.subscribeAsync(filter, { qos: 1 }).then(
    (granted) => granted[0]?.qos ?? -1,
    (error: unknown) => (error as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1,
  );
}

/** Whether the broker closes the connection (no PUBACK) on this publish. */
async function publishIsRefused(client: MqttClient, topic: string): Promise<boolean> {
  const closed = new Promise<boolean>((resolve) => client.once('close', () => resolve(true)));
  const acked = client.publishAsync(topic, '{}', { qos: 1 }).then(
    () => false,
    () => true,
  );
  return Promise.race([closed, acked]);
}

async function csrPem(): Promise<string> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: 'CN=whoever', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
    crypto,
  );
  return csr.toString('pem');
}

describe('fleet provisioning by claim on the embedded broker', { timeout: 60_000 }, () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let claim: Files;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-claim-'));
    broker = await startBroker(dir);
    const issued = await runCli([
      'provision',
      '--claim',
      'batch-2026-12',
      '--ca',
      join(dir, 'ca'),
      '--out',
      join(dir, 'factory'),
    ]);
    expect(issued.code, issued.stderr).toBe(0);
    claim = {
      key: await readFile(join(dir, 'factory/claim.key')),
      cert: await readFile(join(dir, 'factory/claim.crt')),
      ca: await readFile(join(dir, 'factory/ca.crt')),
    };
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    broker.process.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a device with only the claim certificate its own certificate and thing, which then works as that device', async () => {
    const claimed = await runCli(
      [
        'claim',
        '--endpoint',
        `127.0.0.1:${broker.port}`,
        '--ca',
        join(dir, 'factory/ca.crt'),
        '--claim-cert',
        join(dir, 'factory/claim.crt'),
        '--claim-key',
        join(dir, 'factory/claim.key'),
        '--serial',
        '0042',
        '--out',
        join(dir, 'gw'),
      ],
      undefined,
      30_000,
    );
    expect(claimed.code, claimed.stderr).toBe(0);
    expect(jsonLines(claimed.stdout)).toEqual([
      { thingName: 'gw-0042', certificate: join(dir, 'gw/device.crt'), key: join(dir, 'gw/device.key') },
    ]);
    expect((await stat(join(dir, 'gw/device.key'))).mode & 0o777).toBe(0o600);
    const record = JSON.parse(await readFile(join(dir, 'gw/device.json'), 'utf8')) as {
      certificateId: string;
    };
    const certificate = new X509Certificate(await readFile(join(dir, 'gw/device.crt')));
    expect(certificate.subject).toContain(`CN=${record.certificateId}\nOU=provisioned`);
    expect(certificate.verify(new X509Certificate(claim.ca).publicKey)).toBe(true);

    const registry = JSON.parse(await readFile(join(dir, 'broker/things.json'), 'utf8')) as {
      certificates: Record<string, { status: string; thingName: string }>;
      things: Record<string, { groups: string[]; attributes: Record<string, string> }>;
    };
    expect(registry.certificates[record.certificateId]).toMatchObject({
      status: 'ACTIVE',
      thingName: 'gw-0042',
    });
    expect(registry.things['gw-0042']).toEqual({
      groups: ['emberwatch-fleet'],
      attributes: { serial: '0042' },
    });

    const device: Files = {
      key: await readFile(join(dir, 'gw/device.key')),
      cert: await readFile(join(dir, 'gw/device.crt')),
      ca: claim.ca,
    };
    const ca = await ensureCa(join(dir, 'ca'));
    const service = await issueServiceCertificate(ca, 'cloud-test', { days: 1 });
    const cloud = await connect(
      broker.port,
      { key: Buffer.from(service.keyPem), cert: Buffer.from(service.certPem), ca: claim.ca },
      'cloud-test',
    );
    clients.push(cloud);
    await cloud.subscribeAsync('emberwatch/v1/+/telemetry', { qos: 1 });
    const received = new Promise<string>((resolve) => cloud.once('message', (topic) => resolve(topic)));
    const gateway = await connect(broker.port, device, 'gw-0042');
    clients.push(gateway);
    await gateway.publishAsync('emberwatch/v1/gw-0042/telemetry', '{}', { qos: 1 });
    expect(await received).toBe('emberwatch/v1/gw-0042/telemetry');
    // The new certificate is gw-0042 and nobody else.
    expect(await publishIsRefused(gateway, 'emberwatch/v1/gw-0043/telemetry')).toBe(true);
    const other = open(broker.port, device, 'gw-0043');
    clients.push(other);
    const connack = await new Promise<number | undefined>((resolve) => {
      other.once('connect', () => resolve(0));
      other.once('error', (error) => resolve((error as { code?: number }).code));
      other.once('close', () => resolve(undefined));
    });
    expect(connack).not.toBe(0);
  });

  it('lets the claim certificate do nothing else: no thing topics, no other template, no wildcard', async () => {
    const factory = await connect(broker.port, claim, 'factory-probe-1');
    clients.push(factory);
    const grants: number[] = [];
    for (const filter of [
      'emberwatch/v1/gw-0042/model/offer',
      '#',
      '$aws/things/gw-0042/shadow/get/accepted',
      `${REGISTER}/accepted`,
    ]) {
      grants.push(await grantOf(factory, filter));
    }
    expect(grants).toEqual([128, 128, 128, 1]);
    expect(await publishIsRefused(factory, 'emberwatch/v1/gw-0042/telemetry')).toBe(true);

    const other = await connect(broker.port, claim, 'factory-probe-2');
    clients.push(other);
    expect(await publishIsRefused(other, '$aws/provisioning-templates/Other/provision/json')).toBe(true);

    const forged = await connect(broker.port, claim, 'factory-probe-3');
    clients.push(forged);
    const refused = await request(forged, REGISTER, {
      certificateOwnershipToken: 'not-a-token',
      parameters: { SerialNumber: '0099' },
    });
    expect(refused.topic).toBe(`${REGISTER}/rejected`);
    expect(refused.body['statusCode']).toBe(400);
    expect(refused.body['errorMessage']).toMatch(/ownership token/);
  });

  it('answers only the device that asked, and a certificate nobody registered connects as nothing', async () => {
    const asker = await connect(broker.port, claim, 'factory-asker');
    const bystander = await connect(broker.port, claim, 'factory-bystander');
    clients.push(asker, bystander);
    await bystander.subscribeAsync(`${CREATE_CSR}/accepted`, { qos: 1 });
    const overheard: string[] = [];
    bystander.on('message', (topic) => overheard.push(topic));
    const created = await request(asker, CREATE_CSR, { certificateSigningRequest: await csrPem() });
    expect(created.topic).toBe(`${CREATE_CSR}/accepted`);
    expect(typeof created.body['certificateOwnershipToken']).toBe('string');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(overheard).toEqual([]);

    const garbage = await request(asker, CREATE_CSR, { certificateSigningRequest: 'not a request' });
    expect(garbage.topic).toBe(`${CREATE_CSR}/rejected`);

    // The certificate exists but was never registered to a thing.
    const keys = await generateKeyPair();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: 'CN=pending', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
      crypto,
    );
    const pending = await request(asker, CREATE_CSR, { certificateSigningRequest: csr.toString('pem') });
    const keyPem = x509.PemConverter.encode(
      await crypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    const unregistered = open(
      broker.port,
      { key: Buffer.from(keyPem), cert: Buffer.from(String(pending.body['certificatePem'])), ca: claim.ca },
      'gw-pending',
    );
    clients.push(unregistered);
    const outcome = await new Promise<string>((resolve) => {
      unregistered.once('connect', () => resolve('connected'));
      unregistered.once('close', () => resolve('closed'));
    });
    expect(outcome).toBe('closed');
    expect(broker.stderr()).toContain('certificate is not registered to an active thing');
  });
});
