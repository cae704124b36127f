import { once } from 'node:events';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IotLink } from '../edge/link/iot-link.js';
import type { LinkSettingsInput } from '../edge/link/link-settings.js';
import { CONTENT_TYPE, MESSAGE_ID_PROPERTY } from '../edge/link/mqtt-session.js';
import { silentLogger } from '../shared/logging.js';
import { deviceTopics } from '../shared/topics.js';
import { mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { waitFor } from './helpers/wait.js';

interface Arrival {
  readonly id: unknown;
  readonly contentType: unknown;
}

let broker: LinkBroker;
let subscriber: MqttClient;
const arrivals = new Map<string, Arrival[]>();

beforeAll(async () => {
  broker = await mosquittoLinkBroker('mqtt5');
  subscriber = await broker.service('analysis');
  subscriber.on('message', (topic, _payload, packet) => {
    const list = arrivals.get(topic) ?? [];
    list.push({
      id: packet.properties?.userProperties?.[MESSAGE_ID_PROPERTY],
      contentType: packet.properties?.contentType,
    });
    arrivals.set(topic, list);
  });
  await subscriber.subscribeAsync('emberwatch/v1/+/telemetry', { qos: 1 });
});

afterAll(async () => {
  await broker.close();
});

async function withLink(
  deviceId: string,
  overrides: Partial<LinkSettingsInput>,
  body: (link: IotLink) => Promise<void>,
): Promise<void> {
  const settings = { ...(await broker.linkSettings(deviceId)), ...overrides };
  const link = new IotLink({ settings, logger: silentLogger() });
  const online = once(link, 'online');
  await link.start();
  try {
    await online;
    await body(link);
  } finally {
    await link.stop();
  }
}

/** Publishes `count` messages at once and returns how long until every PUBACK was in, ms. */
async function publishBurst(link: IotLink, deviceId: string, count: number): Promise<number> {
  const topic = deviceTopics(deviceId).telemetry;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      link.publish(topic, Buffer.from(JSON.stringify({ id: `${deviceId}-${i}` })), {
        qos: 1,
        messageId: `${deviceId}-${i}`,
      }),
    ),
  );
  return performance.now() - started;
}

describe('IotLink over MQTT 5 to mosquitto', () => {
  it('with flow control off, publishes 500 QoS 1 messages far above 100/s, each id as a user property', async () => {
    await withLink('gw-fast', { flowControl: 'none' }, async (link) => {
      const elapsedMs = await publishBurst(link, 'gw-fast', 500);
      // 500 acknowledged in under 2.5 s is over 200/s, twice IoT Core's limit.
      expect(elapsedMs).toBeLessThan(2500);
    });
    const topic = deviceTopics('gw-fast').telemetry;
    await waitFor('500 messages at the subscriber', () => arrivals.get(topic)?.length === 500);
    const received = arrivals.get(topic) ?? [];
    expect(new Set(received.map((a) => a.id)).size).toBe(500);
    expect(received.map((a) => a.id)).toContain('gw-fast-499');
    expect(received.every((a) => a.contentType === CONTENT_TYPE)).toBe(true);
  });

  it('by default holds publishes to AWS IoT Core’s 100 per second', async () => {
    // undefined: the settings default, which the fixture otherwise overrides with 'none'.
    await withLink('gw-paced', { flowControl: undefined }, async (link) => {
      const elapsedMs = await publishBurst(link, 'gw-paced', 150);
      // Paced at 100/s, 150 publishes take about 1.5 s; unpaced they take well under 0.2 s.
      expect(elapsedMs).toBeGreaterThan(1000);
    });
    const topic = deviceTopics('gw-paced').telemetry;
    await waitFor('150 messages at the subscriber', () => arrivals.get(topic)?.length === 150);
  });
});
