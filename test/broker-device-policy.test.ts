import type { MqttClient, Packet } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopics } from '../shared/topics.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { sleep, waitFor } from './helpers/wait.js';

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

let fixture: BrokerFixture;
const A = deviceTopics('gw-a');
const B = deviceTopics('gw-b');

beforeAll(async () => {
  fixture = await startBrokerFixture();
});

afterAll(async () => {
  await fixture.stop();
});

/** A service client subscribed to every Emberwatch topic, recording what arrives. */
async function serviceListener(name: string): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await fixture.connect(await fixture.pki.service(name), { clientId: name });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }),
  );
  await client.subscribeAsync('emberwatch/v1/#', { qos: 1 });
  return { client, messages };
}

/** Every packet of type `cmd` the client receives from now on. */
function received(client: MqttClient, cmd: Packet['cmd']): Packet[] {
  const packets: Packet[] = [];
  client.on('packetreceive', (packet) => {
    if (packet.cmd === cmd) packets.push(packet);
  });
  return packets;
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

describe('embedded broker: device topics', () => {
  it('delivers a device publish on its own telemetry topic to a service subscriber', async () => {
    const { messages } = await serviceListener('analysis-1');
    const device = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-a' });
    const pubacks = received(device, 'puback');
    await device.publishAsync(A.telemetry, '{"n":1}', { qos: 1 });
    expect(pubacks).toHaveLength(1);
    await waitFor('telemetry at the service', () => messages.length > 0);
    expect(messages).toEqual([{ topic: A.telemetry, payload: '{"n":1}', retain: false }]);
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        msg: 'client connected',
        deviceId: 'gw-a',
        role: 'device',
        component: 'broker',
      }),
    );
  });

  it('disconnects a device publishing under another device id, without PUBACK or delivery', async () => {
    const { messages } = await serviceListener('analysis-2');
    const device = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-a' });
    const pubacks = received(device, 'puback');
    const gone = closed(device);
    device.publish(B.telemetry, 'forged', { qos: 1 });
    await gone;
    await sleep(200);
    expect(pubacks).toEqual([]);
    expect(messages.filter((m) => m.payload === 'forged')).toEqual([]);
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        msg: 'publish refused, disconnecting',
        deviceId: 'gw-a',
        topic: B.telemetry,
        reason: 'publish outside the device policy',
      }),
    );
  });

  it('disconnects a device publishing to its own config topic, which only the cloud writes', async () => {
    const device = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-a' });
    const gone = closed(device);
    device.publish(A.config, '{"threshold":0}', { qos: 0 });
    await gone;
    expect(device.connected).toBe(false);
  });

  it('answers SUBACK 0x80 to filters outside the device policy and keeps the connection', async () => {
    const device = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-a' });
    const subacks = received(device, 'suback');
    const filters = [B.config, 'emberwatch/v1/+/config', '#', A.config];
    // MQTT.js reports any 0x80 in a SUBACK as an error; the granted codes are what matter here.
    device.subscribe(Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }])), () => undefined);
    await waitFor('SUBACK', () => subacks.length > 0);
    expect(subacks[0]).toMatchObject({ granted: [128, 128, 128, 1] });
    expect(device.connected).toBe(true);
    const pubacks = received(device, 'puback');
    await device.publishAsync(A.status, 'online', { qos: 1 });
    expect(pubacks).toHaveLength(1);
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        msg: 'subscribe refused',
        deviceId: 'gw-a',
        filter: 'emberwatch/v1/+/config',
      }),
    );
  });

  it('lets a service send config to one device, which receives it on its own topic only', async () => {
    const service = await fixture.connect(await fixture.pki.service('learning'), { clientId: 'learning' });
    const deviceA = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-a' });
    const deviceB = await fixture.connect(await fixture.pki.device('gw-b'), { clientId: 'gw-b' });
    const atA: string[] = [];
    const atB: string[] = [];
    deviceA.on('message', (topic) => atA.push(topic));
    deviceB.on('message', (topic) => atB.push(topic));
    await deviceA.subscribeAsync(A.config, { qos: 1 });
    await deviceB.subscribeAsync(B.config, { qos: 1 });
    await service.publishAsync(A.config, '{"threshold":40}', { qos: 1 });
    await waitFor('config at gw-a', () => atA.length > 0);
    await sleep(100);
    expect(atA).toEqual([A.config]);
    expect(atB).toEqual([]);
  });

  it('refuses a service publish outside emberwatch/v1/', async () => {
    const service = await fixture.connect(await fixture.pki.service('rogue'), { clientId: 'rogue' });
    const gone = closed(service);
    service.publish('other/topic', 'x', { qos: 1 });
    await gone;
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        service: 'rogue',
        topic: 'other/topic',
        reason: 'publish outside emberwatch/v1/',
      }),
    );
  });
});

describe('embedded broker: connect policy', () => {
  it('refuses a device whose client id differs from its certificate CN with CONNACK 2', async () => {
    const error = await fixture.connect(await fixture.pki.device('gw-a'), { clientId: 'gw-b' }).then(
      () => undefined,
      (e: unknown) => e as { code?: number },
    );
    expect(error?.code).toBe(2);
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        msg: 'connection refused',
        deviceId: 'gw-a',
        clientId: 'gw-b',
        reason: 'client id differs from the certificate CN',
      }),
    );
  });

  it('refuses a device whose last will targets another device with CONNACK 5', async () => {
    const error = await fixture
      .connect(await fixture.pki.device('gw-a'), {
        clientId: 'gw-a',
        will: { topic: B.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number },
      );
    expect(error?.code).toBe(5);
  });

  it('takes identity from the certificate, not the username', async () => {
    const error = await fixture
      .connect(await fixture.pki.device('gw-a'), { clientId: 'gw-b', username: 'gw-b' })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number },
      );
    expect(error?.code).toBe(2);
  });
});
