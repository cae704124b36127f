import { once } from 'node:events';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IotLink } from '../edge/link/iot-link.js';
import { LinkStatus } from '../edge/link/link-status.js';
import { Drainer } from '../edge/outbox/drainer.js';
import { MemoryOutbox } from '../edge/outbox/memory-outbox.js';
import { silentLogger } from '../shared/logging.js';
import { deviceTopics } from '../shared/topics.js';
import { embeddedLinkBroker, mosquittoLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { sleep, waitFor } from './helpers/wait.js';

interface Received {
  readonly topic: string;
  readonly text: string;
  readonly retain: boolean;
}

/** Subscribes `client` to `filter` and collects what arrives. */
async function watch(client: MqttClient, filter: string): Promise<Received[]> {
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return received;
}

function statuses(received: readonly Received[]): LinkStatus[] {
  return received.map((message) => LinkStatus.parse(JSON.parse(message.text)));
}

const targets: [string, () => Promise<LinkBroker>][] = [
  ['embedded broker, MQTT 3.1.1', embeddedLinkBroker],
  ['mosquitto, MQTT 5', () => mosquittoLinkBroker('mqtt5')],
  ['mosquitto, MQTT 3.1.1', () => mosquittoLinkBroker('mqtt311')],
];

describe.each(targets)('IotLink contract: %s', (_name, open) => {
  let broker: LinkBroker;
  const links: IotLink[] = [];
  const proxies: TcpProxy[] = [];

  async function startLink(deviceId: string, port?: number): Promise<IotLink> {
    const link = new IotLink({ settings: await broker.linkSettings(deviceId, port), logger: silentLogger() });
    links.push(link);
    const online = once(link, 'online');
    await link.start();
    await online;
    return link;
  }

  beforeAll(async () => {
    broker = await open();
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.stop()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  afterAll(async () => {
    await broker.close();
  });

  it('comes online with a retained birth status; a QoS 1 publish resolves and reaches a service', async () => {
    const service = await broker.service('analysis-1');
    const telemetry = await watch(service, 'emberwatch/v1/+/telemetry');
    const link = await startLink('gw-birth');
    expect(link.isOnline()).toBe(true);

    await link.publish(deviceTopics('gw-birth').telemetry, Buffer.from('{"id":"m-1"}'), {
      qos: 1,
      messageId: 'm-1',
    });
    await waitFor('the telemetry at the service', () => telemetry.length === 1);
    expect(telemetry[0]?.text).toBe('{"id":"m-1"}');

    const late = await watch(await broker.service('dashboard-1'), deviceTopics('gw-birth').status);
    await waitFor('the retained status', () => late.length === 1);
    expect(late[0]?.retain).toBe(true);
    expect(statuses(late)[0]).toMatchObject({ state: 'online', deviceId: 'gw-birth', version: '0.0.0-test' });
  });

  it('emits messages arriving on its model/offer and config topics', async () => {
    const link = await startLink('gw-offer');
    const messages: [string, string][] = [];
    link.on('message', (topic, payload) => messages.push([topic, payload.toString('utf8')]));
    const cloud = await broker.service('rollout-1');
    const topics = deviceTopics('gw-offer');
    await cloud.publishAsync(topics['model/offer'], '{"version":"7"}', { qos: 1 });
    await cloud.publishAsync(topics.config, '{"rate":2}', { qos: 1 });
    await waitFor('both messages', () => messages.length === 2);
    expect(messages).toEqual(
      expect.arrayContaining([
        [topics['model/offer'], '{"version":"7"}'],
        [topics.config, '{"rate":2}'],
      ]),
    );
  });

  it('takes retained messages at subscribe, and an empty one (a retained message cleared) without harm', async () => {
    const cloud = await broker.service('rollout-2');
    const topics = deviceTopics('gw-retained');
    await cloud.publishAsync(topics.config, '{"kept":1}', { qos: 1, retain: true });
    const link = new IotLink({ settings: await broker.linkSettings('gw-retained'), logger: silentLogger() });
    links.push(link);
    const messages: [string, string][] = [];
    link.on('message', (topic, payload) => messages.push([topic, payload.toString('utf8')]));
    const online = once(link, 'online');
    await link.start();
    await online;
    await waitFor('the retained config', () => messages.length === 1);
    // The SDK may hand an empty payload over as a detached buffer; it must not take the process down.
    await cloud.publishAsync(topics.config, Buffer.alloc(0), { qos: 1, retain: true });
    await cloud.publishAsync(topics['model/offer'], Buffer.alloc(0), { qos: 1, retain: true });
    await waitFor('both empty messages', () => messages.length === 3);
    // Order holds per topic, not across topics: MQTT promises no more.
    expect(messages[0]).toEqual([topics.config, '{"kept":1}']);
    expect(messages.slice(1)).toHaveLength(2);
    expect(messages.slice(1)).toEqual(
      expect.arrayContaining([
        [topics.config, ''],
        [topics['model/offer'], ''],
      ]),
    );
    await link.publish(topics.telemetry, Buffer.from('{}'), { qos: 1, messageId: 'after-empty' });
  });

  it('when its connection dies: fails the publish in flight, the broker sends the will, it comes back', async () => {
    const proxy = await startTcpProxy(broker.port);
    proxies.push(proxy);
    const topics = deviceTopics('gw-cut');
    const watcher = await watch(await broker.service('dashboard-2'), topics.status);
    const link = await startLink('gw-cut', proxy.port);
    await waitFor('the birth', () => statuses(watcher).some((s) => s.state === 'online'));
    const offline = once(link, 'offline');

    proxy.stall();
    const inFlight = link.publish(topics.telemetry, Buffer.from('{}'), { qos: 1, messageId: 'm-2' });
    inFlight.catch(() => undefined);
    await sleep(100);
    proxy.cut();
    await expect(inFlight).rejects.toMatchObject({ code: 'EMBER_ERR_LINK_OFFLINE', retryable: true });
    await offline;
    expect(link.isOnline()).toBe(false);

    await waitFor('the will', () => statuses(watcher).some((s) => s.reason === 'lost'));
    expect(statuses(watcher).find((s) => s.reason === 'lost')).toMatchObject({ state: 'offline' });
    await once(link, 'online');
    await waitFor('a second birth', () => statuses(watcher).filter((s) => s.state === 'online').length === 2);
    await link.publish(topics.telemetry, Buffer.from('{}'), { qos: 1, messageId: 'm-3' });
  });

  it('survives a broker restart: offline, publishes rejected at once, online again, publishing again', async () => {
    const link = await startLink('gw-restart');
    const topics = deviceTopics('gw-restart');
    const offline = once(link, 'offline');
    await broker.stopBroker();
    await offline;

    const started = performance.now();
    await expect(
      link.publish(topics.telemetry, Buffer.from('{}'), { qos: 1, messageId: 'm-4' }),
    ).rejects.toMatchObject({ code: 'EMBER_ERR_LINK_OFFLINE', retryable: true });
    expect(performance.now() - started).toBeLessThan(50);

    await sleep(500); // a few reconnect attempts fail meanwhile
    const online = once(link, 'online');
    await broker.startBroker();
    await online;
    const service = await broker.service('analysis-3');
    const telemetry = await watch(service, topics.telemetry);
    await link.publish(topics.telemetry, Buffer.from('{"after":"restart"}'), { qos: 1, messageId: 'm-5' });
    await waitFor('the publish after the restart', () => telemetry.length === 1);
    // The restarted broker lost its retained messages; the birth on reconnect put the status back.
    const late = await watch(await broker.service('dashboard-3'), topics.status);
    await waitFor('the retained status', () => late.length === 1);
    expect(statuses(late)[0]?.state).toBe('online');
  });

  it('while an alarm waits, tries the broker every alarmRetryMs instead of by its grown backoff', async () => {
    // A backoff of 15 s: without the alarm, a 3.1.1 link (no jitter) would stay offline that long.
    const reconnect = { minMs: 15_000, maxMs: 15_000, alarmRetryMs: 250 };
    let alarm = false;
    const link = new IotLink({
      settings: { ...(await broker.linkSettings('gw-urgent')), reconnect },
      logger: silentLogger(),
      urgent: () => alarm,
    });
    links.push(link);
    let online = once(link, 'online');
    await link.start();
    await online;
    const outage = async (): Promise<number> => {
      const offline = once(link, 'offline');
      await broker.stopBroker();
      await offline;
      await sleep(1500); // a failed attempt or two: the link now waits out its backoff
      online = once(link, 'online');
      await broker.startBroker();
      const back = performance.now();
      await Promise.race([online, sleep(4000)]);
      return link.isOnline() ? performance.now() - back : Number.POSITIVE_INFINITY;
    };
    if (broker.protocol === 'mqtt311') expect(await outage()).toBe(Number.POSITIVE_INFINITY);
    alarm = true;
    if (!link.isOnline()) await online;
    expect(await outage()).toBeLessThan(2000);
  }, 40_000);

  it('on a clean stop leaves a retained "stopped" status, sends no will and refuses publishes', async () => {
    const topics = deviceTopics('gw-stop');
    const watcher = await watch(await broker.service('dashboard-4'), topics.status);
    const link = await startLink('gw-stop');
    await waitFor('the birth', () => watcher.length === 1);
    const offline = once(link, 'offline');
    await link.stop();
    expect(await offline).toEqual([{ reason: 'stopped' }]);
    await waitFor('the offline status', () => watcher.length === 2);
    await sleep(200);
    expect(statuses(watcher).map((s) => [s.state, s.reason])).toEqual([
      ['online', undefined],
      ['offline', 'stopped'],
    ]);
    await expect(
      link.publish(topics.telemetry, Buffer.from('{}'), { qos: 1, messageId: 'm-6' }),
    ).rejects.toMatchObject({ code: 'EMBER_ERR_LINK_OFFLINE' });
    const late = await watch(await broker.service('dashboard-5'), topics.status);
    await waitFor('the retained status', () => late.length === 1);
    expect(statuses(late)[0]).toMatchObject({ state: 'offline', reason: 'stopped' });
  });

  it('drains an outbox through the real Drainer, every message acknowledged and received once', async () => {
    const topics = deviceTopics('gw-drain');
    const telemetry = await watch(await broker.service('analysis-4'), topics.telemetry);
    const link = await startLink('gw-drain');
    const outbox = new MemoryOutbox();
    await outbox.start();
    const drainer = new Drainer({
      outbox,
      publisher: link,
      logger: silentLogger(),
      publishesPerSecond: 1000,
    });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const stored = await outbox.enqueue({
        topic: topics.telemetry,
        payload: Buffer.from(JSON.stringify({ i })),
        priority: 'telemetry',
      });
      ids.push(stored.id);
    }
    await drainer.start();
    try {
      await waitFor('all 40 at the service', () => telemetry.length === 40);
      await waitFor('an empty outbox', () => drainer.stats.inFlight === 0);
      expect((await outbox.stats()).messages).toBe(0);
      expect(drainer.stats.published).toBe(40);
      expect(telemetry.map((m) => (JSON.parse(m.text) as { i: number }).i)).toEqual(
        Array.from({ length: 40 }, (_, i) => i),
      );
    } finally {
      await drainer.stop();
      await outbox.stop();
    }
  });
});
