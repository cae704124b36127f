import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { IotLink } from './iot-link.js';
import type { MqttSession, OutgoingMessage, SessionEvents, SessionOptions } from './mqtt-session.js';

/** A session whose acks the test hands out. */
class FakeSession extends EventEmitter<SessionEvents> implements MqttSession {
  readonly calls: string[] = [];
  readonly published: OutgoingMessage[] = [];
  readonly acks: (() => void)[] = [];
  readonly options: SessionOptions;
  constructor(options: SessionOptions) {
    super();
    this.options = options;
  }
  start(): void {
    this.calls.push('start');
  }
  publish(message: OutgoingMessage): Promise<void> {
    this.calls.push(`publish ${message.topic}`);
    this.published.push(message);
    return new Promise((resolve) => this.acks.push(resolve));
  }
  subscribe(filters: readonly string[]): Promise<void> {
    this.calls.push(`subscribe ${filters.join(' ')}`);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.calls.push('stop');
    return Promise.resolve();
  }
  redial(): void {
    this.calls.push('redial');
  }
  ackAll(): void {
    for (const ack of this.acks.splice(0)) ack();
  }
}

function fixture(
  stopTimeoutMs = 1000,
  urgent?: () => boolean,
): { link: IotLink; session: () => FakeSession } {
  let created: FakeSession | undefined;
  const link = new IotLink({
    settings: {
      deviceId: 'gw-1',
      host: 'h',
      certPem: 'C',
      keyPem: 'K',
      stopTimeoutMs,
      reconnect: { alarmRetryMs: 100 },
    },
    now: () => new Date('2025-06-01T00:00:00Z'),
    createSession: (_protocol, options) => (created = new FakeSession(options)),
    ...(urgent === undefined ? {} : { urgent }),
  });
  return {
    link,
    session: () => {
      if (created === undefined) throw new Error('no session yet');
      return created;
    },
  };
}

const telemetry = 'emberwatch/v1/gw-1/telemetry';
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('IotLink', () => {
  it('does no I/O before start() and refuses publishes while offline, at once and retryable', async () => {
    const { link } = fixture();
    expect(link.isOnline()).toBe(false);
    await expect(
      link.publish(telemetry, Buffer.from('{}'), { qos: 1, messageId: 'a' }),
    ).rejects.toMatchObject({
      code: 'EMBER_ERR_LINK_OFFLINE',
      retryable: true,
    });
  });

  it('on connect subscribes, publishes a retained birth, then goes online; the will is a retained offline', async () => {
    const { link, session } = fixture();
    await link.start();
    expect(JSON.parse(session().options.will.payload.toString())).toMatchObject({
      state: 'offline',
      reason: 'lost',
    });
    const online: unknown[] = [];
    link.onOnline(() => online.push('online'));
    session().emit('up', false);
    await tick();
    expect(online).toEqual([]); // not before the birth's PUBACK
    session().ackAll();
    await tick();
    expect(online).toEqual(['online']);
    expect(session().calls).toEqual([
      'start',
      'subscribe emberwatch/v1/gw-1/model/offer emberwatch/v1/gw-1/config',
      'publish emberwatch/v1/gw-1/status',
    ]);
    expect(session().published[0]).toMatchObject({ retain: true });
  });

  it('does not go online when the connection drops during the announcement', async () => {
    const { link, session } = fixture();
    await link.start();
    session().emit('up', false);
    session().emit('down', 'socket closed');
    session().ackAll();
    await tick();
    expect(link.isOnline()).toBe(false);
  });

  it('fails publishes awaiting PUBACK when the connection drops, and says why', async () => {
    const { link, session } = fixture();
    await link.start();
    session().emit('up', false);
    session().ackAll();
    await tick();
    const pending = link.publish(telemetry, Buffer.from('{}'), { qos: 1, messageId: 'b' });
    expect(session().published.at(-1)).toMatchObject({ messageId: 'b', retain: false });
    const offline: unknown[] = [];
    link.on('offline', (event) => offline.push(event));
    session().emit('down', 'socket closed');
    await expect(pending).rejects.toMatchObject({ code: 'EMBER_ERR_LINK_OFFLINE', retryable: true });
    expect(offline).toEqual([{ reason: 'socket closed' }]);
  });

  it('on stop publishes the retained stopped status before disconnecting, giving up after stopTimeoutMs', async () => {
    const { link, session } = fixture(50);
    await link.start();
    session().emit('up', false);
    session().ackAll();
    await tick();
    const started = performance.now();
    await link.stop(); // nobody acks the stopped status
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(session().calls.slice(-2)).toEqual(['publish emberwatch/v1/gw-1/status', 'stop']);
    expect(JSON.parse(session().published.at(-1)?.payload.toString() ?? '')).toMatchObject({
      state: 'offline',
      reason: 'stopped',
    });
    expect(link.isOnline()).toBe(false);
  });

  it('asks the session to redial every alarmRetryMs while down with an alarm waiting, and only then', async () => {
    let alarm = false;
    const { link, session } = fixture(50, () => alarm);
    const redials = (): number => session().calls.filter((c) => c === 'redial').length;
    await link.start();
    await sleep(350);
    expect(redials()).toBe(0);
    alarm = true;
    await sleep(350);
    expect(redials()).toBeGreaterThanOrEqual(2);
    session().emit('up', false);
    session().ackAll();
    await tick();
    const online = redials();
    await sleep(350);
    expect(redials()).toBe(online);
    session().emit('down', 'socket closed');
    await sleep(350);
    expect(redials()).toBeGreaterThan(online);
    await link.stop();
    const stopped = redials();
    await sleep(250);
    expect(redials()).toBe(stopped);
  });
});
