import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudCommand, type CloudStarter } from '../cli/commands/cloud.js';
import { main } from '../cli/main.js';
import { CloudIngest } from '../cloud/ingest/cloud-ingest.js';
import type { IngestBrokerSettings, IngestProtocol } from '../cloud/ingest/ingest-connection.js';
import type { IngestHandlers, IngestOptions } from '../cloud/ingest/ingest-types.js';
import { isEmberError } from '../shared/errors.js';
import { createLogger } from '../shared/logging.js';
import type { ModelReport } from '../shared/model/model-report.js';
import type { LinkStatus } from '../shared/schemas/link-status.js';
import type { AnomalyMessage, StatusMessage, TelemetryMessage } from '../shared/schemas/messages.js';
import { deviceTopics } from '../shared/topics.js';
import { embeddedLinkBroker, mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { waitFor } from './helpers/wait.js';

const NOW = 1_767_225_600_000;

function anomaly(deviceId: string, id: string): AnomalyMessage {
  return {
    schemaVersion: 1,
    id,
    deviceId,
    ts: NOW,
    level: 'high',
    previousLevel: 'medium',
    probability: 0.93,
    modelVersion: 'gbdt-test',
    features: { pm25_slope: 1.5, co_level: null },
    thermalSnapshot: null,
  };
}

function telemetry(deviceId: string, id: string): TelemetryMessage {
  return {
    schemaVersion: 1,
    id,
    deviceId,
    ts: NOW,
    records: [{ ts: NOW, probability: 0.1, level: 'none', levels: { pm25: 12, co: null }, steps: 10 }],
  };
}

function health(deviceId: string): StatusMessage {
  return {
    schemaVersion: 1,
    kind: 'health',
    id: `health-${deviceId}`,
    deviceId,
    ts: NOW,
    software: '0.1.0',
    uptimeS: 12,
    model: 'rules',
    modelStatus: 'rules: no model installed',
    level: 'none',
    probability: 0.02,
    sensors: {
      pm: {
        protocol: 'pms5003',
        state: 'open',
        frames: 10,
        checksumErrors: 0,
        droppedBytes: 0,
        reconnects: 0,
      },
    },
    outbox: { messages: 0, bytes: 0, oldestAgeS: 0 },
  };
}

const birth = (deviceId: string): LinkStatus => ({
  state: 'online',
  deviceId,
  ts: new Date(NOW).toISOString(),
  version: '0.1.0',
  protocol: 'mqtt311',
});

const report: ModelReport = {
  offerId: 'offer-1',
  version: 'gbdt-2',
  status: 'installed',
  active: 'gbdt-2',
  ts: NOW,
};

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** Everything the handlers were given, in order. */
class Recorder implements IngestHandlers {
  readonly anomalies: AnomalyMessage[] = [];
  readonly telemetries: TelemetryMessage[] = [];
  readonly healths: StatusMessage[] = [];
  readonly links: { status: LinkStatus; deviceId: string }[] = [];
  readonly reports: { deviceId: string; report: ModelReport }[] = [];
  readonly receivedAt: number[] = [];
  anomaly(message: AnomalyMessage, at: number): void {
    this.anomalies.push(message);
    this.receivedAt.push(at);
  }
  telemetry(message: TelemetryMessage): void {
    this.telemetries.push(message);
  }
  health(message: StatusMessage): void {
    this.healths.push(message);
  }
  link(status: LinkStatus, deviceId: string): void {
    this.links.push({ status, deviceId });
  }
  report(deviceId: string, value: ModelReport): void {
    this.reports.push({ deviceId, report: value });
  }
  get total(): number {
    return (
      this.anomalies.length +
      this.telemetries.length +
      this.healths.length +
      this.links.length +
      this.reports.length
    );
  }
}

/** A broker fixture plus the ingest's certificate files and device clients. */
class Bed {
  readonly #ingests: CloudIngest[] = [];
  readonly #clients: MqttClient[] = [];

  readonly #version: 4 | 5;
  constructor(
    readonly broker: LinkBroker,
    version: 4 | 5,
  ) {
    this.#version = version;
  }

  async settings(
    protocol: IngestProtocol,
    sharedGroup?: string,
    name = 'cloud',
  ): Promise<IngestBrokerSettings> {
    const identity = await this.broker.pki.service(name);
    const caPath = join(this.broker.pki.dir, 'ingest-ca.crt');
    const certPath = join(this.broker.pki.dir, `${name}.crt`);
    const keyPath = join(this.broker.pki.dir, `${name}.key`);
    await writeFile(caPath, this.broker.pki.ca.certPem);
    await writeFile(certPath, identity.certPem);
    await writeFile(keyPath, identity.keyPem, { mode: 0o600 });
    return { host: '127.0.0.1', port: this.broker.port, caPath, certPath, keyPath, protocol, sharedGroup };
  }

  async ingest(options: Partial<IngestOptions> & { broker: IngestBrokerSettings }): Promise<CloudIngest> {
    const ingest = new CloudIngest({
      handlers: new Recorder(),
      reconnect: { minMs: 100, maxMs: 500 },
      ...options,
    });
    this.#ingests.push(ingest);
    await ingest.start();
    return ingest;
  }

  /** An MQTT.js client with a device certificate; the embedded broker wants client id = CN. */
  async device(deviceId: string): Promise<MqttClient> {
    const identity = await this.broker.pki.device(deviceId);
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${this.broker.port}`, {
      protocolVersion: this.#version,
      clientId: deviceId,
      reconnectPeriod: 0,
      ca: this.broker.pki.ca.certPem,
      key: identity.keyPem,
      cert: identity.certPem,
    });
    client.on('error', () => undefined);
    this.#clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.#ingests.map((ingest) => ingest.stop()));
    await Promise.all(this.#clients.map((client) => client.endAsync(true)));
    await this.broker.close();
  }
}

/** Publishes one valid message of every kind as `deviceId`, at QoS 1. */
async function publishValid(device: MqttClient, deviceId: string): Promise<void> {
  const topics = deviceTopics(deviceId);
  await device.publishAsync(topics.anomaly, json(anomaly(deviceId, `a-${deviceId}`)), { qos: 1 });
  await device.publishAsync(topics.telemetry, json(telemetry(deviceId, `t-${deviceId}`)), { qos: 1 });
  await device.publishAsync(topics.status, json(health(deviceId)), { qos: 1 });
  await device.publishAsync(topics.status, json(birth(deviceId)), { qos: 1 });
  await device.publishAsync(topics['model/report'], json(report), { qos: 1 });
}

/** Publishes broken messages on the device's own topics: every one must be refused. */
async function publishInvalid(device: MqttClient, deviceId: string, otherId: string): Promise<void> {
  const topics = deviceTopics(deviceId);
  await device.publishAsync(topics.telemetry, Buffer.from('{"schemaVersion":1,'), { qos: 1 });
  await device.publishAsync(topics.anomaly, Buffer.from([0xff, 0xfe, 0x00]), { qos: 1 });
  await device.publishAsync(topics.anomaly, json({ ...anomaly(deviceId, 'a-bad'), probability: 2 }), {
    qos: 1,
  });
  await device.publishAsync(topics.status, json({ ...health(deviceId), outbox: {} }), { qos: 1 });
  await device.publishAsync(topics.telemetry, json(telemetry(otherId, 't-spoof')), { qos: 1 });
  await device.publishAsync(topics.status, json({ ...birth(otherId), state: 'offline' }), { qos: 1 });
}

function checkValid(recorder: Recorder, deviceId: string): void {
  expect(recorder.anomalies).toEqual([anomaly(deviceId, `a-${deviceId}`)]);
  expect(recorder.telemetries).toEqual([telemetry(deviceId, `t-${deviceId}`)]);
  expect(recorder.healths).toEqual([health(deviceId)]);
  expect(recorder.links).toEqual([{ status: birth(deviceId), deviceId }]);
  expect(recorder.reports).toEqual([{ deviceId, report }]);
}

describe('cloud ingest on the embedded broker (MQTT 3.1.1)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = new Bed(await embeddedLinkBroker(), 4);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('falls back from MQTT 5, hands valid messages to their handlers and counts the rest', async () => {
    const recorder = new Recorder();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      pretty: false,
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    });
    const settings = await bed.settings('auto', 'workers');
    const ingest = await bed.ingest({ broker: settings, handlers: recorder, logger });
    expect(ingest.protocol).toBe('mqtt311');
    expect(
      lines.some((line) => line['msg'] === 'shared subscriptions need MQTT 5; subscribing plainly'),
    ).toBe(true);

    const device = await bed.device('gw-emb-1');
    await publishInvalid(device, 'gw-emb-1', 'gw-emb-2');
    // A service may publish anywhere under emberwatch/v1/, including topics that name no device.
    const service = await bed.broker.service('prankster');
    await service.publishAsync('emberwatch/v1/not.a.device/telemetry', json(telemetry('x', 't-x')), {
      qos: 1,
    });
    await publishValid(device, 'gw-emb-1');

    await waitFor('five valid messages', () => recorder.total === 5);
    await waitFor(
      'seven refusals',
      () => Object.values(ingest.stats().invalid).reduce((a, b) => a + b) === 7,
    );
    checkValid(recorder, 'gw-emb-1');
    expect(recorder.receivedAt[0]).toBeGreaterThanOrEqual(NOW);
    const stats = ingest.stats();
    expect(stats.received).toEqual({ anomaly: 1, telemetry: 1, health: 1, link: 1, report: 1 });
    expect(stats.invalid).toEqual({
      'foreign-topic': 1,
      'too-large': 0,
      'bad-json': 2,
      'bad-schema': 2,
      'device-mismatch': 2,
    });
    expect(stats).toMatchObject({ connected: true, protocol: 'mqtt311', connects: 1 });
    // One line per reason (the second bad JSON is held back), naming the topic and the first bad field.
    const refused = lines.filter((line) => line['msg'] === 'message refused');
    expect(refused.map((line) => line['reason']).sort()).toEqual([
      'bad-json',
      'bad-schema',
      'device-mismatch',
      'foreign-topic',
    ]);
    expect(refused.find((line) => line['reason'] === 'bad-schema')).toMatchObject({
      topic: 'emberwatch/v1/gw-emb-1/anomaly',
      detail: expect.stringMatching(/^probability: /) as unknown,
    });
  });

  it('keeps going when a handler throws, counting the failure', async () => {
    const recorder = new Recorder();
    const handlers: IngestHandlers = {
      anomaly: (message, at) => recorder.anomaly(message, at),
      telemetry: () => {
        throw new Error('database is locked');
      },
      health: (message) => recorder.health(message),
      link: (status, deviceId) => recorder.link(status, deviceId),
      report: (deviceId, value) => recorder.report(deviceId, value),
    };
    const ingest = await bed.ingest({ broker: await bed.settings('mqtt311'), handlers });
    const device = await bed.device('gw-emb-3');
    await publishValid(device, 'gw-emb-3');
    await waitFor('four handled messages', () => recorder.total === 4);
    await ingest.drain();
    expect(ingest.stats().handlerErrors.telemetry).toBe(1);
    expect(recorder.reports).toEqual([{ deviceId: 'gw-emb-3', report }]);
  });

  it('publishes at QoS 1 to a device that listens on its config topic', async () => {
    const ingest = await bed.ingest({ broker: await bed.settings('auto') });
    const device = await bed.device('gw-emb-4');
    const topic = deviceTopics('gw-emb-4').config;
    const got: string[] = [];
    device.on('message', (t, payload) => got.push(`${t} ${payload.toString('utf8')}`));
    await device.subscribeAsync(topic, { qos: 1 });
    await ingest.publish(topic, json({ schemaVersion: 1, alarm: null }));
    await waitFor('the config message', () => got.length === 1);
    expect(got).toEqual([`${topic} {"schemaVersion":1,"alarm":null}`]);
    await expect(ingest.publish('elsewhere/config', Buffer.from('{}'))).rejects.toSatisfy((error) =>
      isEmberError(error, 'EMBER_ERR_CLOUD_BROKER'),
    );
  });

  it('reconnects and resubscribes after the broker comes back', async () => {
    const recorder = new Recorder();
    const ingest = await bed.ingest({ broker: await bed.settings('auto'), handlers: recorder });
    await bed.broker.stopBroker();
    await waitFor('the ingest to notice', () => !ingest.stats().connected);
    await expect(ingest.publish(deviceTopics('gw-emb-5').config, Buffer.from('{}'))).rejects.toSatisfy(
      (error) => isEmberError(error, 'EMBER_ERR_CLOUD_BROKER'),
    );
    await bed.broker.startBroker();
    await waitFor('a second connection', () => ingest.stats().connects === 2, 10_000);
    const device = await bed.device('gw-emb-5');
    await device.publishAsync(deviceTopics('gw-emb-5').anomaly, json(anomaly('gw-emb-5', 'after')), {
      qos: 1,
    });
    await waitFor('the anomaly sent after the restart', () => recorder.anomalies.length === 1);
    expect(recorder.anomalies[0]?.id).toBe('after');
  });

  it('start() fails with EMBER_ERR_CLOUD_BROKER when the broker refuses the certificate for good', async () => {
    // A device certificate whose CN is not the client id: CONNACK "identifier rejected".
    const settings = await bed.settings('auto');
    const deviceIdentity = await bed.broker.pki.device('gw-emb-6');
    await writeFile(settings.certPath, deviceIdentity.certPem);
    await writeFile(settings.keyPath, deviceIdentity.keyPem);
    const ingest = new CloudIngest({ broker: settings, handlers: new Recorder(), clientId: 'not-gw-emb-6' });
    await expect(ingest.start()).rejects.toSatisfy((error) => isEmberError(error, 'EMBER_ERR_CLOUD_BROKER'));
    expect(ingest.stats().connected).toBe(false);
  });
  it('stop() ends a start() that is still trying to connect', async () => {
    // Port 1: nothing listens, so every attempt fails with ECONNREFUSED and is retried.
    const settings = { ...(await bed.settings('auto')), port: 1 };
    const ingest = new CloudIngest({
      broker: settings,
      handlers: new Recorder(),
      reconnect: { minMs: 50, maxMs: 100 },
    });
    const starting = ingest.start();
    await ingest.stop();
    await expect(starting).rejects.toSatisfy((error) => isEmberError(error, 'EMBER_ERR_CLOUD_BROKER'));
    const missing = new CloudIngest({
      broker: { ...settings, keyPath: join(bed.broker.pki.dir, 'absent.key') },
      handlers: new Recorder(),
    });
    await expect(missing.start()).rejects.toSatisfy((error) =>
      isEmberError(error, 'EMBER_ERR_FILE_UNREADABLE'),
    );
  });

  it('emberwatch cloud runs the cloud until the stop signal', async () => {
    const settings = await bed.settings('auto');
    const config = join(bed.broker.pki.dir, 'cloud.json');
    const { host, port, caPath, certPath, keyPath } = settings;
    await writeFile(
      config,
      JSON.stringify({
        broker: { host, port, caPath, certPath, keyPath },
        dataDir: 'data',
        http: { port: 0 },
      }),
    );
    let out = '';
    let stop = (): void => undefined;
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString('utf8');
        done();
      },
    });
    const exit = main(['cloud', '--config', config], { stdout, stderr: stdout, stopSignal });
    await waitFor('the started line', () => out.includes('"cloud":"started"'));
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? '')).toEqual({
      cloud: 'started',
      broker: `127.0.0.1:${port}`,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as unknown,
    });
    stop();
    expect(await exit).toBe(0);
  });
});

describe('cloud ingest on mosquitto (MQTT 5, mutual TLS)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = new Bed(await mosquittoLinkBroker('mqtt5'), 5);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('speaks MQTT 5 under auto and applies the same checks', async () => {
    const recorder = new Recorder();
    const ingest = await bed.ingest({ broker: await bed.settings('auto'), handlers: recorder });
    expect(ingest.protocol).toBe('mqtt5');
    const device = await bed.device('gw-mq-1');
    await publishInvalid(device, 'gw-mq-1', 'gw-mq-2');
    await publishValid(device, 'gw-mq-1');
    await waitFor('five valid messages', () => recorder.total === 5);
    await waitFor('six refusals', () => Object.values(ingest.stats().invalid).reduce((a, b) => a + b) === 6);
    checkValid(recorder, 'gw-mq-1');
    expect(ingest.stats().invalid).toMatchObject({ 'bad-json': 2, 'bad-schema': 2, 'device-mismatch': 2 });
  });

  it('splits a shared group between two ingests: each gets some, together all, none twice', async () => {
    const first = new Recorder();
    const second = new Recorder();
    await bed.ingest({ broker: await bed.settings('mqtt5', 'workers', 'cloud-a'), handlers: first });
    await bed.ingest({ broker: await bed.settings('mqtt5', 'workers', 'cloud-b'), handlers: second });
    const device = await bed.device('gw-mq-3');
    const ids = Array.from({ length: 40 }, (_, i) => `t-${i}`);
    for (const id of ids) {
      await device.publishAsync(deviceTopics('gw-mq-3').telemetry, json(telemetry('gw-mq-3', id)), {
        qos: 1,
      });
    }
    await waitFor('all 40 messages', () => first.telemetries.length + second.telemetries.length >= 40);
    const a = first.telemetries.map((m) => m.id);
    const b = second.telemetries.map((m) => m.id);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect([...a, ...b].sort()).toEqual([...ids].sort());
  });

  it('resolves publish() on PUBACK and the device receives it', async () => {
    const ingest = await bed.ingest({ broker: await bed.settings('mqtt5') });
    const device = await bed.device('gw-mq-4');
    const topic = deviceTopics('gw-mq-4')['model/offer'];
    const got: Buffer[] = [];
    device.on('message', (_t, payload) => got.push(payload));
    await device.subscribeAsync(topic, { qos: 1 });
    await ingest.publish(topic, json({ offer: 1 }));
    await waitFor('the offer', () => got.length === 1);
    expect(JSON.parse(got[0]?.toString('utf8') ?? '')).toEqual({ offer: 1 });
  });
});

describe('cloud ingest: messages over its limit are refused before they are read whole', () => {
  for (const [protocol, version] of [
    ['mqtt311', 4],
    ['mqtt5', 5],
  ] as const) {
    it(`on mosquitto over ${protocol}: the 1 MB message is never handled, the next one is`, async () => {
      const bed = new Bed(await mosquittoLinkBroker(protocol), version);
      try {
        const recorder = new Recorder();
        const ingest = await bed.ingest({
          broker: await bed.settings(protocol),
          handlers: recorder,
          maxPayloadBytes: 64 * 1024,
        });
        const device = await bed.device('gw-huge-1');
        const topic = deviceTopics('gw-huge-1').telemetry;
        await device.publishAsync(topic, Buffer.alloc(1024 * 1024, 0x7b), { qos: 1 });
        if (protocol === 'mqtt311') {
          // MQTT 3.1.1 cannot tell the broker our limit: the gate cuts the connection at the packet's header.
          await waitFor('the refusal', () => ingest.stats().invalid['too-large'] === 1, 10_000);
          await waitFor(
            'the reconnect',
            () => ingest.stats().connects === 2 && ingest.stats().connected,
            10_000,
          );
        }
        await device.publishAsync(topic, json(telemetry('gw-huge-1', 't-after')), { qos: 1 });
        await waitFor('the next message', () => recorder.telemetries.length === 1, 10_000);
        expect(recorder.telemetries.map((m) => m.id)).toEqual(['t-after']);
        // Under MQTT 5 the broker knows our maximum packet size and never sends the large one.
        if (protocol === 'mqtt5') expect(ingest.stats().connects).toBe(1);
      } finally {
        await bed.close();
      }
    }, 30_000);
  }
});

describe('emberwatch cloud --config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cloud-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const GOOD = {
    broker: { host: '127.0.0.1', port: 8883, caPath: 'ca.crt', certPath: 'c.crt', keyPath: 'c.key' },
    dataDir: 'data',
  };

  it.each([
    ['broker.port', { ...GOOD, broker: { ...GOOD.broker, port: 'eighty' } }],
    ['http.publicBaseUrl', { ...GOOD, http: { publicBaseUrl: 'not a url' } }],
    ['zones.hall.0', { ...GOOD, zones: { hall: ['gw/1'] } }],
    ['dataDir', { broker: GOOD.broker }],
  ])('a bad %s: one line naming it, exit 2', async (field, body) => {
    const path = join(dir, `${field}.json`);
    await writeFile(path, JSON.stringify(body));
    const result = await runInProcess(['cloud', '--config', path]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`config: ${field}: `);
  });

  it('the built command line says the same', async () => {
    const path = join(dir, 'bad-port.json');
    await writeFile(path, JSON.stringify({ ...GOOD, broker: { ...GOOD.broker, port: 70_000 } }));
    const result = await runCli(['cloud', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('config: broker.port: ')]);
    const help = await runCli(['cloud', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('EMBERWATCH_CLOUD_HTTP_PORT');
  });

  it('hands the loaded config to the starter it is given, and stops it on the signal', async () => {
    const path = join(dir, 'cloud.yaml');
    await writeFile(path, JSON.stringify(GOOD));
    const seen: string[] = [];
    const starter: CloudStarter = (config) => {
      seen.push(config.broker.caPath);
      return Promise.resolve({
        url: 'http://127.0.0.1:1234',
        stop: () => Promise.resolve(void seen.push('stopped')),
      });
    };
    let out = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString('utf8');
        done();
      },
    });
    const code = await createCloudCommand(starter).run(['--config', path], {
      stdin: process.stdin,
      stdout,
      stderr: stdout,
      stopSignal: Promise.resolve(),
    });
    expect(code).toBe(0);
    expect(seen).toEqual([join(dir, 'ca.crt'), 'stopped']);
    expect(out).toContain('"url":"http://127.0.0.1:1234"');
  });
});
