import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopics } from '../shared/topics.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { sleep, waitFor } from './helpers/wait.js';

interface Received {
  payload: string;
  retain: boolean;
}

let fixture: BrokerFixture;
const status = deviceTopics('gw-a').status;

beforeAll(async () => {
  fixture = await startBrokerFixture();
});

afterAll(async () => {
  await fixture.stop();
});

async function statusWatcher(
  name: string,
  topic = status,
): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await fixture.connect(await fixture.pki.service(name), { clientId: name });
  const messages: Received[] = [];
  client.on('message', (_topic, payload, packet) =>
    messages.push({ payload: payload.toString('utf8'), retain: packet.retain }),
  );
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, messages };
}

describe('embedded broker: retained status and last will', () => {
  it('keeps the retained birth message and publishes the will when a device vanishes', async () => {
    const device = await fixture.connect(await fixture.pki.device('gw-a'), {
      clientId: 'gw-a',
      will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await device.publishAsync(status, 'online', { qos: 1, retain: true });

    // A subscriber arriving after the birth gets it as a retained message.
    const late = await statusWatcher('dashboard');
    await waitFor('retained birth', () => late.messages.length > 0);
    expect(late.messages).toEqual([{ payload: 'online', retain: true }]);

    // No DISCONNECT packet: the socket just dies, as on a power cut.
    device.stream.destroy();
    await waitFor('the will', () => late.messages.length > 1);
    expect(late.messages[1]).toEqual({ payload: 'offline', retain: false });

    // The will was retained, so the last word on the device's status is now "offline".
    const after = await statusWatcher('dashboard-2');
    await waitFor('retained will', () => after.messages.length > 0);
    expect(after.messages).toEqual([{ payload: 'offline', retain: true }]);
    await waitFor('the disconnect log line', () =>
      fixture.logs.some((l) => l.msg === 'client disconnected' && l['deviceId'] === 'gw-a'),
    );
  });

  it('does not publish the will after a clean DISCONNECT', async () => {
    const gwC = deviceTopics('gw-c').status;
    const watcher = await statusWatcher('dashboard-3', gwC);
    const device = await fixture.connect(await fixture.pki.device('gw-c'), {
      clientId: 'gw-c',
      will: { topic: gwC, payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    await device.publishAsync(gwC, 'online', { qos: 1 });
    await waitFor('birth', () => watcher.messages.some((m) => m.payload === 'online'));
    await device.endAsync();
    await waitFor('the disconnect log line', () =>
      fixture.logs.some((l) => l.msg === 'client disconnected' && l['deviceId'] === 'gw-c'),
    );
    await sleep(100);
    expect(watcher.messages).toEqual([{ payload: 'online', retain: false }]);
  });
});
