import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../shared/errors.js';
import { OperatorAlerts } from '../cloud/monitoring/operator-alerts.js';
import { ResponseAgent } from '../cloud/response/response-agent.js';
import { WebhookNotifier } from '../cloud/response/webhook-notifier.js';
import type { DeviceState, Incident, OperatorAlert } from '../cloud/contracts/cloud-values.js';
import { deviceStateFixture } from './helpers/device-state.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Never answer: the sender's timeout must end the attempt. */
  readonly hang?: boolean;
}

/** A webhook receiver on port 0 that records every request and answers from a script. */
class Receiver {
  readonly received: Received[] = [];
  reply: (request: Received, index: number) => Reply = () => ({ status: 204 });
  readonly #server: Server;
  #port = 0;

  constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const entry: Received = {
          path: request.url ?? '',
          headers: request.headers,
          body,
          json: JSON.parse(body) as Record<string, unknown>,
        };
        this.received.push(entry);
        const answer = this.reply(entry, this.received.length - 1);
        if (answer.hang === true) return;
        response.writeHead(answer.status, answer.headers).end('{"ok":true}');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function hmac(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<Receiver> {
  const server = new Receiver();
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

const fast = { initialDelayMs: 10, maxDelayMs: 100, timeoutMs: 2000 };

describe('WebhookNotifier against a real HTTP server', () => {
  it('retries after 500s with one delivery id and a verifiable signature', async () => {
    const server = await receiver();
    server.reply = (_request, index) => ({ status: index < 2 ? 500 : 200 });
    const notifier = new WebhookNotifier({ settings: { ...fast, attempts: 4 } });
    const outcomes: boolean[] = [];
    notifier.on('delivery', (outcome) => outcomes.push(outcome.delivered));

    const outcome = await notifier.deliver(
      { url: server.url('/hook?token=abc'), secret: 'shh', headers: { authorization: 'Bearer t' } },
      { hello: 'world' },
      { event: 'incident.alert', purpose: 'emergency' },
    );

    expect(outcome).toMatchObject({ delivered: true, attempts: 3, status: 200 });
    expect(outcome.target).toBe(server.url('/hook'));
    expect(outcomes).toEqual([true]);
    expect(server.received).toHaveLength(3);
    const ids = new Set(server.received.map((request) => request.headers['x-emberwatch-delivery']));
    expect([...ids]).toEqual([outcome.deliveryId]);
    for (const request of server.received) {
      expect(request.path).toBe('/hook?token=abc');
      expect(request.headers['x-emberwatch-signature']).toBe(hmac('shh', request.body));
      expect(request.headers['x-emberwatch-event']).toBe('incident.alert');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.authorization).toBe('Bearer t');
      expect(request.json).toEqual({ hello: 'world' });
    }
  });

  it('gives up at once after a 400, without the query string in the error', async () => {
    const server = await receiver();
    server.reply = () => ({ status: 400 });
    const notifier = new WebhookNotifier({ settings: { ...fast, attempts: 5 } });
    const error: unknown = await notifier
      .deliver({ url: server.url('/hook?token=s3cret') }, {}, { event: 'e', purpose: 'notify' })
      .catch((caught: unknown) => caught);
    expect(isEmberError(error, 'EMBER_ERR_WEBHOOK')).toBe(true);
    expect(isEmberError(error) && error.retryable).toBe(false);
    expect(String(error)).toContain('HTTP 400');
    expect(String(error)).not.toContain('s3cret');
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers['x-emberwatch-signature']).toBeUndefined();
  });

  it('gives up after the last attempt of a failing receiver', async () => {
    const server = await receiver();
    server.reply = () => ({ status: 503 });
    const notifier = new WebhookNotifier({ settings: { ...fast, attempts: 3 } });
    await expect(
      notifier.deliver({ url: server.url('/') }, {}, { event: 'e', purpose: 'notify' }),
    ).rejects.toMatchObject({
      code: 'EMBER_ERR_WEBHOOK',
      retryable: false,
    });
    expect(server.received).toHaveLength(3);
  });

  it('waits as long as Retry-After asks, within the maximum delay', async () => {
    const server = await receiver();
    server.reply = (_request, index) => {
      if (index === 0) return { status: 429, headers: { 'retry-after': '2' } };
      if (index === 1) return { status: 503, headers: { 'retry-after': '3600' } };
      if (index === 2) return { status: 503 };
      return { status: 202 };
    };
    const waits: number[] = [];
    const notifier = new WebhookNotifier({
      settings: { initialDelayMs: 100, maxDelayMs: 5000, attempts: 4 },
      random: () => 0.5,
      sleep: (delayMs) => {
        waits.push(delayMs);
        return Promise.resolve();
      },
    });
    const outcome = await notifier.deliver({ url: server.url('/') }, {}, { event: 'e', purpose: 'notify' });
    expect(outcome).toMatchObject({ delivered: true, attempts: 4, status: 202 });
    // 2 s as asked, an hour capped at the maximum, then the jittered backoff of the third retry.
    expect(waits).toEqual([2000, 5000, 200]);
    expect(server.received).toHaveLength(4);
  });

  it('ends an attempt the receiver never answers and retries it', async () => {
    const server = await receiver();
    server.reply = (_request, index) => (index === 0 ? { status: 0, hang: true } : { status: 200 });
    const notifier = new WebhookNotifier({ settings: { ...fast, timeoutMs: 200, attempts: 2 } });
    const outcome = await notifier.deliver({ url: server.url('/') }, {}, { event: 'e', purpose: 'notify' });
    expect(outcome).toMatchObject({ delivered: true, attempts: 2 });
    expect(server.received).toHaveLength(2);
  });

  it('treats a refused connection as retryable and names the cause', async () => {
    const server = await receiver();
    const url = server.url('/');
    await server.stop();
    const notifier = new WebhookNotifier({ settings: { ...fast, attempts: 2 } });
    await expect(notifier.deliver({ url }, {}, { event: 'e', purpose: 'notify' })).rejects.toThrow(
      /after 2 attempt\(s\): ECONNREFUSED/,
    );
  });
});

function incident(level: Incident['level'], state: Incident['state'] = 'open'): Incident {
  return {
    id: 'inc-42',
    deviceId: 'gw-1',
    zone: 'kitchen',
    level,
    state,
    openedAt: 1000,
    updatedAt: 1000,
    acknowledgedAt: state === 'acknowledged' ? 2000 : null,
    acknowledgedBy: state === 'acknowledged' ? 'dana' : null,
    resolvedAt: null,
    outcome: null,
    reasons: ['probability 0.97 from model gbdt-1', 'corroborated by gw-2 in zone kitchen'],
    assessments: 3,
    messageIds: ['m1', 'm2', 'm3'],
  };
}

describe('ResponseAgent with real webhooks', () => {
  it('alerts, repeats and escalates a high incident until it is acknowledged', async () => {
    const server = await receiver();
    const actions: string[] = [];
    const notifier = new WebhookNotifier({ settings: fast });
    const agent = new ResponseAgent({
      settings: {
        notify: [{ url: server.url('/notify') }],
        emergency: [{ url: server.url('/emergency'), secret: 'fire' }],
        escalation: [{ url: server.url('/escalation') }],
        repeatEveryS: 0.1,
        escalateAfterS: 0.25,
        maxRepeats: 50,
        dashboardLink: 'http://dashboard.local/#/incidents/{incidentId}',
      },
      recorder: { recordAction: (_id, kind) => actions.push(kind) },
      notifier,
    });
    await agent.start();
    cleanups.push(() => agent.stop());

    await agent.handle({ incident: incident('high'), change: 'opened' });
    await waitFor('an escalated repeat', () =>
      server.received.some(
        (request) => request.path === '/escalation' && request.json['type'] === 'incident.alert.repeat',
      ),
    );
    await agent.handle({ incident: incident('high', 'acknowledged'), change: 'acknowledged' });
    expect(agent.alerting()).toEqual([]);
    // A repeat already in flight may still land; after that nothing more may come.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const settled = server.received.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.received.length).toBe(settled);

    const byPath = (path: string) => server.received.filter((request) => request.path === path);
    expect(byPath('/notify')).toEqual([]);
    const emergency = byPath('/emergency');
    expect(emergency[0]?.json).toMatchObject({
      type: 'incident.alert',
      level: 'high',
      incident: { id: 'inc-42', deviceId: 'gw-1' },
      reasons: ['probability 0.97 from model gbdt-1', 'corroborated by gw-2 in zone kitchen'],
      dashboardUrl: 'http://dashboard.local/#/incidents/inc-42',
    });
    expect(emergency.slice(1).every((request) => request.json['type'] === 'incident.alert.repeat')).toBe(
      true,
    );
    expect(emergency.length).toBeGreaterThanOrEqual(3);
    for (const request of emergency) {
      expect(request.headers['x-emberwatch-signature']).toBe(hmac('fire', request.body));
    }
    const escalation = byPath('/escalation');
    expect(escalation[0]?.json['type']).toBe('incident.escalation');
    expect(escalation.filter((request) => request.json['type'] === 'incident.escalation')).toHaveLength(1);
    expect(actions.slice(0, 1)).toEqual(['alerted']);
    expect(actions).toContain('repeated');
    expect(actions).toContain('escalated');
    expect(actions).toContain('stopped');
  });

  it('notifies a medium incident once and alerts it when it turns high', async () => {
    const server = await receiver();
    const actions: string[] = [];
    const agent = new ResponseAgent({
      settings: {
        notify: [{ url: server.url('/notify') }],
        emergency: [{ url: server.url('/emergency') }],
        repeatEveryS: 60,
      },
      recorder: { recordAction: (_id, kind) => actions.push(kind) },
      notifier: new WebhookNotifier({ settings: fast }),
    });
    await agent.start();
    cleanups.push(() => agent.stop());
    await agent.handle({ incident: incident('low'), change: 'opened' });
    await agent.handle({ incident: incident('medium'), change: 'escalated' });
    await agent.handle({ incident: incident('medium'), change: 'updated' });
    await agent.handle({ incident: incident('high'), change: 'escalated' });
    expect(server.received.map((request) => `${request.path} ${String(request.json['type'])}`)).toEqual([
      '/notify incident.notification',
      '/emergency incident.alert',
    ]);
    expect(actions).toEqual(['logged', 'notified', 'suppressed', 'alerted']);
  });

  it('records a delivery failure when the emergency receiver refuses', async () => {
    const server = await receiver();
    server.reply = () => ({ status: 410 });
    const recorded: { kind: string; detail: string }[] = [];
    const agent = new ResponseAgent({
      settings: { emergency: [{ url: server.url('/gone?key=private') }] },
      recorder: { recordAction: (_id, kind, detail) => recorded.push({ kind, detail }) },
      notifier: new WebhookNotifier({ settings: fast }),
    });
    await agent.start();
    cleanups.push(() => agent.stop());
    await agent.handle({ incident: incident('high'), change: 'opened' });
    expect(recorded.map((entry) => entry.kind)).toEqual(['alerted', 'delivery-failed']);
    expect(recorded[1]?.detail).toContain('HTTP 410');
    expect(recorded[1]?.detail).not.toContain('private');
  });
});

describe('OperatorAlerts with real webhooks', () => {
  it('notifies a raised alert once and its clearance with the same id', async () => {
    const server = await receiver();
    let devices: DeviceState[] = [deviceState(false)];
    const seen: OperatorAlert[] = [];
    const alerts = new OperatorAlerts({
      settings: { notify: [{ url: server.url('/ops'), secret: 'ops' }] },
      fleet: { devices: () => devices },
      notifier: new WebhookNotifier({ settings: fast }),
    });
    alerts.on('alert', (alert) => seen.push(alert));
    await alerts.start();
    cleanups.push(() => alerts.stop());

    await alerts.evaluate();
    await alerts.evaluate();
    expect(alerts.alerts()).toMatchObject([{ rule: 'device-offline', subject: 'gw-9', active: true }]);
    devices = [deviceState(true)];
    await alerts.evaluate();

    expect(server.received.map((request) => request.json['type'])).toEqual([
      'operator-alert.raised',
      'operator-alert.cleared',
    ]);
    const [raised, cleared] = server.received.map((request) => request.json['alert'] as OperatorAlert);
    expect(raised?.id).toBe(cleared?.id);
    expect(cleared?.active).toBe(false);
    expect(server.received[1]?.headers['x-emberwatch-signature']).toBe(
      hmac('ops', server.received[1]?.body ?? ''),
    );
    expect(seen.map((alert) => alert.active)).toEqual([true, false]);
    expect(alerts.alerts()).toMatchObject([{ rule: 'device-offline', active: false }]);
  });
});

function deviceState(online: boolean): DeviceState {
  return deviceStateFixture({ deviceId: 'gw-9', zone: 'hall', online });
}
