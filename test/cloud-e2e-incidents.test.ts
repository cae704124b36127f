import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudConfig } from '../cloud/config/cloud-config.js';
import type { Incident, IncidentAction } from '../cloud/contracts/cloud-values.js';
import { webhookSignature } from '../cloud/response/webhook-notifier.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { deviceTopics } from '../shared/topics.js';
import { startPlayback } from '../simulators/playback/start-playback.js';
import type { RunTrace } from '../shared/dataset/run-trace.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { startEdgeBed, subscribeService, type EdgeBed, type Received, sensorsOf } from './edge-setup.js';
import {
  anomalyMessage,
  apiToken,
  cloudConfig,
  deviceClient,
  getJson,
  metricValue,
  pollUntil,
  postJson,
  startWebhookReceiver,
  writeServiceFiles,
  type WebhookReceiver,
} from './helpers/cloud-bed.js';
import { waitFor } from './helpers/wait.js';

/**
 * The whole path from a gateway to a person: scenarios play through
 * emulators on real ptys at SPEED×, real edge agents (rules model, clock
 * scaled by SPEED) publish over mutual TLS to the embedded broker, and the
 * cloud assesses, opens incidents in SQLite and calls real webhooks.
 * Seeds as in edge-fire: ul217 seed 1 is high at 62 s, shower seed 1 never alarms.
 */
const SPEED = 10;

function trace(template: 'ul217-flaming-pu' | 'shower', durationS: number): RunTrace {
  const scenario = drawScenario(template, 1);
  const withFire =
    scenario.fire === null ? scenario : { ...scenario, fire: { ...scenario.fire, ignition_s: 20 } };
  return simulateRun(withFire, { durationS });
}

interface IncidentList {
  incidents: Incident[];
}

describe('cloud end to end: gateways, broker, incidents and webhooks', () => {
  let bed: EdgeBed;
  let hooks: WebhookReceiver;
  let config: CloudConfig;
  let cloud: CloudService;
  let token: string;

  beforeAll(async () => {
    bed = await startEdgeBed();
    hooks = await startWebhookReceiver();
    const files = await writeServiceFiles(bed.broker, bed.dir);
    const dataDir = join(bed.dir, 'cloud');
    await mkdir(dataDir);
    config = cloudConfig(bed.broker, files, dataDir, {
      response: {
        notify: [{ url: hooks.url('/notify') }],
        emergency: [{ url: hooks.url('/emergency') }],
        repeatEveryS: 600,
        escalateAfterS: 600,
      },
    });
    cloud = await CloudService.create({ config });
    await cloud.start();
    token = await apiToken(cloud, 'viewer');
  }, 30_000);

  afterAll(async () => {
    await cloud.stop();
    await bed.close();
    await hooks.stop();
  });

  async function play(deviceId: string, run: RunTrace): Promise<Received> {
    const { received } = await subscribeService(bed.broker, deviceId);
    const playback = await startPlayback(run, { speed: SPEED });
    try {
      const sensors = sensorsOf(playback.devices);
      const agent = await bed.agent(await bed.config(deviceId, sensors), { timeScale: SPEED });
      await agent.start();
      await playback.ended;
      await waitFor(`${deviceId}'s telemetry`, () => received.telemetry.length > 0, 10_000);
      await agent.stop();
    } finally {
      await playback.stop();
    }
    return received;
  }

  const incidentsOf = (deviceId: string): Promise<IncidentList> =>
    getJson<IncidentList>(`${cloud.url}/v1/incidents?deviceId=${deviceId}`, token);

  it('a flaming fire opens a high incident, calls the emergency webhook and records the actions', async () => {
    const received = await play('gw-fire-1', trace('ul217-flaming-pu', 110));
    expect(received.anomalies.some((a) => a.level === 'high')).toBe(true);
    const { incidents } = await pollUntil(
      'a high incident of gw-fire-1',
      () => incidentsOf('gw-fire-1'),
      (list) => list.incidents.some((i) => i.level === 'high'),
    );
    const incident = incidents.find((i) => i.level === 'high');
    if (incident === undefined) throw new Error('no high incident');
    expect(incident.deviceId).toBe('gw-fire-1');
    expect(incident.state).toBe('open');
    expect(incident.messageIds.length).toBeGreaterThan(0);
    expect(received.anomalies.map((a) => a.id)).toEqual(expect.arrayContaining([...incident.messageIds]));

    await waitFor(
      'the emergency webhook call',
      () => hooks.calls.some((c) => c.path === '/emergency'),
      10_000,
    );
    const call = hooks.calls.find((c) => c.path === '/emergency');
    expect(call?.body['level']).toBe('high');
    // Signed although the configuration names no secret: with the one the cloud made on its first run.
    const { webhookSecret } = JSON.parse(await readFile(join(config.dataDir, 'secrets.json'), 'utf8')) as {
      webhookSecret: string;
    };
    expect(call?.headers['x-emberwatch-signature']).toBe(webhookSignature(webhookSecret, call?.text ?? ''));
    const sent = call?.body['incident'] as Incident;
    expect(sent.id).toBe(incident.id);
    expect(sent.deviceId).toBe('gw-fire-1');
    expect(sent.level).toBe('high');

    const detail = await pollUntil(
      'the delivered emergency recorded on the incident',
      () =>
        getJson<{ incident: Incident; actions: IncidentAction[] }>(
          `${cloud.url}/v1/incidents/${incident.id}`,
          token,
        ),
      (d) => d.actions.some((a) => a.detail.includes('delivered to 1 of 1')),
    );
    expect(detail.actions.every((a) => a.incidentId === incident.id)).toBe(true);
    expect(detail.actions.map((a) => a.kind)).not.toContain('delivery-failed');
  }, 50_000);

  it('a shower opens no medium or high incident', async () => {
    const received = await play('gw-shower-1', trace('shower', 60));
    expect(received.anomalies.filter((a) => a.level === 'medium' || a.level === 'high')).toEqual([]);
    // The cloud has seen the device (its telemetry reached the fleet state) before it is judged.
    await pollUntil(
      'gw-shower-1 in the fleet',
      () => getJson<{ devices: { deviceId: string }[] }>(`${cloud.url}/v1/devices`, token),
      (list) => list.devices.some((d) => d.deviceId === 'gw-shower-1'),
    );
    const { incidents } = await incidentsOf('gw-shower-1');
    expect(incidents.filter((i) => i.level === 'medium' || i.level === 'high')).toEqual([]);
    expect(
      hooks.calls.filter((c) => (c.body['incident'] as Incident | undefined)?.deviceId === 'gw-shower-1'),
    ).toEqual([]);
  }, 40_000);

  it('a redelivered anomaly opens one incident, also across a cloud restart', async () => {
    const device: MqttClient = await deviceClient(bed.broker, 'gw-dup-1');
    const message = Buffer.from(JSON.stringify(anomalyMessage('gw-dup-1', 'high', 0.97)));
    const topic = deviceTopics('gw-dup-1').anomaly;
    const duplicates = async (): Promise<number> =>
      metricValue(
        await (await fetch(`${cloud.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text(),
        'emberwatch_cloud_duplicate_messages_total',
        'kind="anomaly"',
      );
    try {
      expect(await duplicates()).toBe(0);
      for (let i = 0; i < 3; i += 1) await device.publishAsync(topic, message, { qos: 1 });
      await pollUntil('two duplicates dropped', duplicates, (n) => n === 2);
      const first = await incidentsOf('gw-dup-1');
      expect(first.incidents).toHaveLength(1);
      expect(first.incidents[0]?.messageIds).toHaveLength(1);

      await cloud.stop();
      cloud = await CloudService.create({ config });
      await cloud.start();
      expect(await duplicates()).toBe(0);
      await device.publishAsync(topic, message, { qos: 1 });
      await device.publishAsync(topic, message, { qos: 1 });
      await pollUntil('duplicates dropped after the restart', duplicates, (n) => n === 2);
      const after = await incidentsOf('gw-dup-1');
      expect(after.incidents).toHaveLength(1);
      expect(after.incidents[0]?.id).toBe(first.incidents[0]?.id);
      expect(after.incidents[0]?.messageIds).toHaveLength(1);
      expect(after.incidents[0]?.assessments).toBe(first.incidents[0]?.assessments);
    } finally {
      await device.endAsync(true);
    }
  }, 30_000);

  it('an emergency alert running when the cloud stops repeats again once it is back', async () => {
    const device: MqttClient = await deviceClient(bed.broker, 'gw-restart-1');
    const ofDevice = (path: string) =>
      hooks.calls.filter(
        (c) => c.path === path && (c.body['incident'] as Incident | undefined)?.deviceId === 'gw-restart-1',
      );
    try {
      const message = anomalyMessage('gw-restart-1', 'high', 0.98);
      await device.publishAsync(deviceTopics('gw-restart-1').anomaly, JSON.stringify(message), { qos: 1 });
      await waitFor('the first emergency alert', () => ofDevice('/emergency').length === 1, 10_000);
      expect(ofDevice('/emergency')[0]?.body['type']).toBe('incident.alert');

      await cloud.stop();
      // Back with repeats every second: the alert must carry on, not start again.
      config = { ...config, response: { ...config.response, repeatEveryS: 1 } };
      cloud = await CloudService.create({ config });
      await cloud.start();
      await waitFor('a repeat after the restart', () => ofDevice('/emergency').length >= 2, 10_000);
      const [first, second] = ofDevice('/emergency');
      expect(second?.body['type']).toBe('incident.alert.repeat');
      expect(second?.body['repeat']).toBe(1);
      expect((second?.body['incident'] as Incident).id).toBe((first?.body['incident'] as Incident).id);
      expect(ofDevice('/emergency').filter((c) => c.body['type'] === 'incident.alert')).toHaveLength(1);
    } finally {
      await device.endAsync(true);
    }
  }, 30_000);

  it('an outcome that makes a device less sensitive needs an operator and is on the record with its author', async () => {
    const device: MqttClient = await deviceClient(bed.broker, 'gw-steam-1');
    try {
      const message = anomalyMessage('gw-steam-1', 'medium', 0.7);
      await device.publishAsync(deviceTopics('gw-steam-1').anomaly, JSON.stringify(message), { qos: 1 });
      const { incidents } = await pollUntil(
        'the incident of gw-steam-1',
        () => incidentsOf('gw-steam-1'),
        (list) => list.incidents.length === 1,
      );
      const id = incidents[0]?.id ?? '';
      const resolve = (as: string) =>
        postJson(`${cloud.url}/v1/incidents/${id}/resolve`, { outcome: 'false-alarm' }, as);
      // A viewer, or nobody at all, cannot make a fire detector less sensitive.
      expect((await resolve(token)).status).toBe(403);
      expect(
        (await postJson(`${cloud.url}/v1/incidents/${id}/resolve`, { outcome: 'false-alarm' })).status,
      ).toBe(401);
      expect((await incidentsOf('gw-steam-1')).incidents[0]?.state).toBe('open');
      const operator = await apiToken(cloud, 'operator');
      expect((await resolve(operator)).status).toBe(200);
      const audit = await pollUntil(
        'the threshold change in the audit log',
        () =>
          getJson<{ entries: { actor: string; action: string; subject: string; detail: string }[] }>(
            `${cloud.url}/v1/audit`,
            token,
          ),
        (list) => list.entries.some((e) => e.action === 'thresholds-changed'),
      );
      const changed = audit.entries.find((e) => e.action === 'thresholds-changed');
      const resolved = audit.entries.find((e) => e.action === 'resolved' && e.subject === id);
      expect(resolved?.actor).toMatch(/^token:test-operator-/);
      expect(resolved?.detail).toMatch(/^outcome false-alarm on gw-steam-1/);
      expect(changed).toMatchObject({ actor: resolved?.actor, subject: 'gw-steam-1' });
    } finally {
      await device.endAsync(true);
    }
  }, 30_000);
});
