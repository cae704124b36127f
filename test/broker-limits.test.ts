import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEVICE_LIMITS } from '../cloud/broker/embedded-broker.js';
import { deviceTopics } from '../shared/topics.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { waitFor } from './helpers/wait.js';

const LIMIT = DEFAULT_DEVICE_LIMITS.maxPacketBytes;

/** The whole PUBLISH packet size of a QoS 1 message with `payload` bytes on `topic`. */
function packetSize(topic: string, payload: number): number {
  return mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(payload),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  }).length;
}

async function listener(fixture: BrokerFixture): Promise<{ client: MqttClient; got: Buffer[] }> {
  const client = await fixture.connect(await fixture.pki.service('cloud'));
  const got: Buffer[] = [];
  client.on('message', (_topic, payload) => got.push(payload));
  await client.subscribeAsync('emberwatch/v1/+/telemetry', { qos: 1 });
  return { client, got };
}

describe('embedded broker limits', () => {
  let fixture: BrokerFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('delivers a packet of exactly the device limit and cuts one byte more at its header, never delivering it', async () => {
    fixture = await startBrokerFixture();
    const { got } = await listener(fixture);
    const topic = deviceTopics('gw-big-1').telemetry;
    let fits = LIMIT - packetSize(topic, 0);
    while (packetSize(topic, fits) > LIMIT) fits--;
    expect(packetSize(topic, fits)).toBe(LIMIT);
    const device = await fixture.connect(await fixture.pki.device('gw-big-1'), { clientId: 'gw-big-1' });
    await device.publishAsync(topic, Buffer.alloc(fits, 0x61), { qos: 1 });
    await waitFor('the message at the limit', () => got.length === 1);

    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const refused = device.publishAsync(topic, Buffer.alloc(fits + 1, 0x62), { qos: 1 });
    refused.catch(() => undefined);
    await closed;
    const line = fixture.logs.find((l) => l.msg === 'packet refused, disconnecting');
    expect(line).toMatchObject({ deviceId: 'gw-big-1', bytes: LIMIT + 1, limit: LIMIT });
    // The device may come back; what was cut never reached anyone.
    const again = await fixture.connect(await fixture.pki.device('gw-big-1'), { clientId: 'gw-big-1' });
    await again.publishAsync(topic, 'small', { qos: 1 });
    await waitFor('the next message', () => got.length === 2);
    expect(got.map((p) => p.length)).toEqual([fits, 5]);
  });

  it('cuts a 250 MB publish off at the header, long before its body is sent', async () => {
    fixture = await startBrokerFixture();
    const { got } = await listener(fixture);
    const identity = await fixture.pki.device('gw-flood-1');
    const socket: TLSSocket = tlsConnect({
      host: '127.0.0.1',
      port: fixture.broker.port,
      ca: fixture.pki.ca.certPem,
      cert: identity.certPem,
      key: identity.keyPem,
      servername: 'localhost',
    });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(
      mqttPacket.generate({ cmd: 'connect', clientId: 'gw-flood-1', protocolVersion: 4, keepalive: 30 }),
    );
    await new Promise((resolve) => socket.once('data', resolve));
    const body = 250 * 1024 * 1024;
    const header = mqttPacket.generate({
      cmd: 'publish',
      topic: deviceTopics('gw-flood-1').telemetry,
      payload: Buffer.alloc(0),
      qos: 1,
      messageId: 9,
      retain: false,
      dup: false,
    });
    // The same packet but announcing a 250 MB payload: rewrite its remaining length.
    const rest = header.subarray(2);
    const length: number[] = [];
    for (let n = rest.length + body; n > 0; n = Math.floor(n / 128))
      length.push((n % 128) | (n >= 128 ? 0x80 : 0));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let sent = 0;
    socket.write(Buffer.concat([Buffer.from([0x32, ...length]), rest]));
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    while (!socket.destroyed && sent < body) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      }
    }
    await closed;
    // What was written before the close sat in socket buffers; the broker read none of it as a packet.
    expect(sent).toBeLessThan(body);
    expect(got).toEqual([]);
    expect(fixture.logs.find((l) => l.msg === 'packet refused, disconnecting')).toMatchObject({
      deviceId: 'gw-flood-1',
      bytes: body + rest.length + 1 + length.length,
    });
  });

  it('slows a device that publishes faster than its rate, and drops nothing', async () => {
    fixture = await startBrokerFixture({ deviceLimits: { maxPacketBytes: LIMIT, publishesPerSecond: 20 } });
    const { got } = await listener(fixture);
    const device = await fixture.connect(await fixture.pki.device('gw-fast-1'), { clientId: 'gw-fast-1' });
    const topic = deviceTopics('gw-fast-1').telemetry;
    const started = Date.now();
    for (let i = 0; i < 60; i++) device.publish(topic, `m${String(i)}`, { qos: 0 });
    await waitFor('all 60 messages', () => got.length === 60, 15_000);
    // 20 at once (the burst), then 20 a second: at least two seconds for the other 40.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(got.map(String)).toEqual(Array.from({ length: 60 }, (_, i) => `m${String(i)}`));
    expect(
      fixture.logs.filter((l) => l.msg === 'client sends faster than its rate limit; reading paused'),
    ).toHaveLength(1);
  });

  it('leaves services unthrottled', async () => {
    fixture = await startBrokerFixture({ deviceLimits: { maxPacketBytes: LIMIT, publishesPerSecond: 1 } });
    const receiver = await fixture.connect(await fixture.pki.device('gw-quiet-1'), {
      clientId: 'gw-quiet-1',
    });
    const got: string[] = [];
    receiver.on('message', (_t, p) => got.push(String(p)));
    await receiver.subscribeAsync(deviceTopics('gw-quiet-1').config, { qos: 0 });
    const service = await fixture.connect(await fixture.pki.service('cloud'));
    for (let i = 0; i < 50; i++) service.publish(deviceTopics('gw-quiet-1').config, String(i), { qos: 0 });
    await waitFor('50 config messages', () => got.length === 50, 5000);
  });
});
