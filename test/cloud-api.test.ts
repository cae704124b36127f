import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudApi } from '../cloud/api/cloud-api.js';
import { startTestAccess, type TestAccess } from '../cloud/api/access.test-helper.js';
import { device, incident, MemoryPorts } from '../cloud/api/memory-ports.test-helper.js';
import { Predictor, type Prediction } from '../factory/inference/predictor.js';
import { traceReadings } from '../factory/pipeline/trace-readings.js';
import type { LiveEvent } from '../cloud/api/api-ports.js';
import { isEmberError } from '../shared/errors.js';
import { createLogger } from '../shared/logging.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { encodeManifest, loadModelDir } from '../shared/model/model-dir.js';
import { RuleModel } from '../shared/model/rule-model.js';
import type { Reading } from '../shared/schemas/readings.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';
import { waitFor } from './helpers/wait.js';

/** A scenario's sensor readings as a device would send them: 90 s, thermal at 1 Hz to keep the body small. */
function scenarioReadings(template: 'ul217-flaming-pu' | 'normal-day', deviceId: string): Reading[] {
  const scenario = drawScenario(template, 1);
  const early =
    scenario.fire === null ? scenario : { ...scenario, fire: { ...scenario.fire, ignition_s: 20 } };
  return traceReadings(simulateRun(early, { durationS: 90, thermalHz: 1 }), deviceId);
}

interface ErrorJson {
  error: { code: string; message: string };
}

describe('cloud API over HTTP', () => {
  const ports = new MemoryPorts(new Predictor({ model: () => current }));
  const logLines: string[] = [];
  let api: CloudApi;
  let auth: TestAccess;
  let current: FireModel = new RuleModel();
  let manifestBytes: Uint8Array;
  let modelBytes: Uint8Array;
  let base: string;

  // An admin's API token: this suite is about what the routes answer; api-access.test.ts is about who may call them.
  const bearer = () => ({ authorization: `Bearer ${auth.tokens.admin}` });
  const get = (path: string, init?: RequestInit) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { ...bearer(), ...(init?.headers as Record<string, string>) },
    });
  const post = (path: string, body: unknown, token = auth.tokens.admin) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const raw = (path: string, body: string | Buffer, contentType: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...bearer() }, body });
  async function errorOf(response: Response, status: number): Promise<ErrorJson['error']> {
    expect(response.status).toBe(status);
    return ((await response.json()) as ErrorJson).error;
  }

  beforeAll(async () => {
    auth = await startTestAccess();
    api = new CloudApi({
      ports,
      access: auth.access,
      csrfKey: auth.csrfKey,
      heartbeatMs: 50,
      logger: createLogger({
        pretty: false,
        level: 'info',
        destination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            logLines.push(chunk.toString('utf8'));
            done();
          },
        }),
      }),
    });
    const tiny = trainTinyModel(3);
    const manifest = await tinyManifest(tiny, 'tiny-1');
    manifestBytes = encodeManifest(manifest);
    modelBytes = tiny.bytes;
    ports.files.set('tiny-1/manifest.json', manifestBytes);
    ports.files.set('tiny-1/model.onnx', modelBytes);
    ports.modelList.push({
      version: 'tiny-1',
      status: 'approved',
      createdAt: manifest.createdAt,
      family: manifest.family,
      sha256: manifest.model.sha256,
      metrics: { detectionRate: 0.9, medianTimeToAlarmS: 41, falseAlarmsPerHour: null },
    });
    ports.deviceMap.set('gw-1', device('gw-1'));
    ports.deviceMap.set('gw-2', device('gw-2', { zone: 'hall', online: false }));
    ports.historyMap.set('gw-1', [
      { ts: 1000, probability: 0.1, levels: { temp: 21 } },
      { ts: 2000, probability: 0.2, levels: { temp: 22 } },
      { ts: 3000, probability: 0.3, levels: { temp: null } },
    ]);
    ports.incidentMap.set('inc-1', incident('inc-1', { openedAt: 3000 }));
    ports.incidentMap.set(
      'inc-2',
      incident('inc-2', { deviceId: 'gw-2', state: 'resolved', openedAt: 1000 }),
    );
    ports.incidentMap.set('inc-3', incident('inc-3', { openedAt: 2000 }));
    ports.actionList.push({ id: 'a-0', incidentId: 'inc-1', ts: 3001, kind: 'notified', detail: 'webhook' });
    ports.decisionList.push({
      id: 'd-1',
      ts: 5000,
      incidentId: 'inc-2',
      outcome: 'false-alarm',
      action: 'adjust-rules',
      explanation: 'steam from the shower',
      details: {},
    });
    ports.alertList.push({
      id: 'al-1',
      rule: 'device-offline',
      subject: 'gw-2',
      ts: 6000,
      message: 'silent',
      active: true,
    });
    await api.start();
    base = api.url;
  });

  afterAll(async () => {
    await api.stop();
    await auth.dispose();
  });

  it('answers health and Prometheus metrics, its own beside the components', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const metrics = await get('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain('emberwatch_fleet_devices 2');
    expect(text).toMatch(/emberwatch_api_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
  });

  it('lists devices, one device and its history', async () => {
    const list = (await (await get('/v1/devices')).json()) as { devices: { deviceId: string }[] };
    expect(list.devices.map((d) => d.deviceId)).toEqual(['gw-1', 'gw-2']);
    expect(await (await get('/v1/devices/gw-2')).json()).toMatchObject({
      device: { zone: 'hall', online: false },
    });
    const error = await errorOf(await get('/v1/devices/nope'), 404);
    expect(error.code).toBe('EMBER_ERR_API_NOT_FOUND');
    const history = (await (await get('/v1/devices/gw-1/history?since=2000')).json()) as {
      points: { ts: number }[];
    };
    expect(history.points.map((p) => p.ts)).toEqual([2000, 3000]);
    expect((await errorOf(await get('/v1/devices/gw-1/history?since=yesterday'), 400)).message).toMatch(
      /^query\.since: /,
    );
    await errorOf(await get('/v1/devices/nope/history'), 404);
  });

  it('filters incidents and shows one with its actions', async () => {
    const ids = async (query: string) =>
      ((await (await get(`/v1/incidents${query}`)).json()) as { incidents: { id: string }[] }).incidents.map(
        (i) => i.id,
      );
    expect(await ids('')).toEqual(['inc-1', 'inc-3', 'inc-2']);
    expect(await ids('?state=resolved')).toEqual(['inc-2']);
    expect(await ids('?deviceId=gw-1&limit=1')).toEqual(['inc-1']);
    expect((await errorOf(await get('/v1/incidents?state=burning'), 400)).message).toMatch(/^query\.state: /);
    expect((await errorOf(await get('/v1/incidents?limit=0'), 400)).message).toMatch(/^query\.limit: /);
    const one = (await (await get('/v1/incidents/inc-1')).json()) as {
      incident: { id: string };
      actions: unknown[];
    };
    expect(one.incident.id).toBe('inc-1');
    expect(one.actions).toEqual([
      { id: 'a-0', incidentId: 'inc-1', ts: 3001, kind: 'notified', detail: 'webhook' },
    ]);
    expect((await errorOf(await get('/v1/incidents/inc-404'), 404)).code).toBe('EMBER_ERR_API_NOT_FOUND');
  });

  it('acknowledges and resolves incidents as the caller, mapping the store errors to 404 and 409', async () => {
    // A name in the body is not who acted: the author is the authenticated caller.
    const acked = await post('/v1/incidents/inc-3/acknowledge', { by: 'mallory' }, auth.tokens.operator);
    expect(acked.status).toBe(200);
    expect(await acked.json()).toMatchObject({
      incident: { state: 'acknowledged', acknowledgedBy: 'token:test-operator' },
    });
    expect(ports.calls).toContainEqual({ kind: 'acknowledge', id: 'inc-3', by: 'token:test-operator' });
    expect((await errorOf(await post('/v1/incidents/inc-3/acknowledge', {}), 409)).code).toBe(
      'EMBER_ERR_INCIDENT_TRANSITION',
    );
    expect((await errorOf(await post('/v1/incidents/inc-404/acknowledge', {}), 404)).code).toBe(
      'EMBER_ERR_INCIDENT_NOT_FOUND',
    );
    expect((await errorOf(await post('/v1/incidents/inc-3/acknowledge', []), 400)).message).toMatch(
      /^body: /,
    );
    const badOutcome = await post('/v1/incidents/inc-3/resolve', { outcome: 'maybe' });
    expect((await errorOf(badOutcome, 400)).message).toMatch(/^body\.outcome: /);
    const resolved = await post('/v1/incidents/inc-3/resolve', {
      outcome: 'test',
      by: 'mallory',
      note: 'drill',
    });
    expect(await resolved.json()).toMatchObject({ incident: { state: 'resolved', outcome: 'test' } });
    expect(ports.calls).toContainEqual({
      kind: 'resolve',
      id: 'inc-3',
      outcome: 'test',
      by: 'token:test-admin',
      note: 'drill',
    });
    await errorOf(await post('/v1/incidents/inc-3/resolve', { outcome: 'test' }), 409);
    const audit = (await auth.control.auditEntries({ limit: 2 })).map((e) => [e.actor, e.action, e.subject]);
    expect(audit).toEqual([
      ['token:test-admin', 'resolved', 'inc-3'],
      ['token:test-operator', 'acknowledged', 'inc-3'],
    ]);
  });

  it('lists models and serves their files byte for byte', async () => {
    expect(await (await get('/v1/models')).json()).toMatchObject({
      models: [{ version: 'tiny-1', status: 'approved' }],
    });
    const manifest = await get('/v1/models/tiny-1/manifest.json');
    expect(manifest.headers.get('content-type')).toMatch(/^application\/json/);
    expect(manifest.headers.get('content-length')).toBe(String(manifestBytes.byteLength));
    expect(new Uint8Array(await manifest.arrayBuffer())).toEqual(manifestBytes);
    const model = await get('/v1/models/tiny-1/model.onnx');
    expect(model.headers.get('content-type')).toBe('application/octet-stream');
    expect(model.headers.get('content-length')).toBe(String(modelBytes.byteLength));
    expect(Buffer.from(await model.arrayBuffer()).equals(Buffer.from(modelBytes))).toBe(true);
    expect((await errorOf(await get('/v1/models/tiny-9/model.onnx'), 404)).code).toBe(
      'EMBER_ERR_REGISTRY_NOT_FOUND',
    );
    expect((await errorOf(await get('/v1/models/tiny-1/secrets.txt'), 404)).code).toBe(
      'EMBER_ERR_API_NOT_FOUND',
    );
    // A version that is a path is refused as one, never looked up.
    const traversal = await errorOf(await get('/v1/models/..%2f..%2fca/model.onnx'), 400);
    expect(traversal.message).toMatch(/^params\.version: /);
  });

  it('starts rollouts, 409 when one cannot start, and lists decisions and alerts', async () => {
    const started = await post('/v1/rollouts', { version: 'tiny-1', canaryShare: 0.5 });
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({
      rollout: { version: 'tiny-1', state: 'canary', canaryShare: 0.5 },
    });
    expect((await errorOf(await post('/v1/rollouts', { version: 'tiny-1' }), 409)).code).toBe(
      'EMBER_ERR_ROLLOUT',
    );
    expect(
      (await errorOf(await post('/v1/rollouts', { version: 'tiny-1', canaryShare: 2 }), 400)).message,
    ).toMatch(/^body\.canaryShare: /);
    expect((await errorOf(await post('/v1/rollouts', { canaryShare: 0.1 }), 400)).message).toMatch(
      /^body\.version: /,
    );
    expect(await (await get('/v1/rollouts')).json()).toMatchObject({ rollouts: [{ version: 'tiny-1' }] });
    expect(await (await get('/v1/decisions')).json()).toMatchObject({
      decisions: [{ id: 'd-1', action: 'adjust-rules' }],
    });
    expect(await (await get('/v1/alerts')).json()).toMatchObject({ alerts: [{ id: 'al-1', active: true }] });
  });

  it('streams live events published after the client connected, with heartbeats, and lets go on disconnect', async () => {
    const listenersBefore = ports.listenerCount;
    const abort = new AbortController();
    const response = await get('/v1/events', { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (what: string) => {
      while (!text.includes(what)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${what}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(': connected');
    expect(ports.listenerCount).toBe(listenersBefore + 1);
    const event: LiveEvent = { type: 'incident', incident: incident('inc-live', { level: 'high' }) };
    ports.publish(event);
    await readUntil('event: incident\n');
    await readUntil('\n\n');
    const frame = text.slice(text.indexOf('event: incident\n'));
    const data = /data: (.*)\n/.exec(frame)?.[1] ?? '';
    expect(JSON.parse(data)).toEqual(event);
    await readUntil(': heartbeat');
    abort.abort();
    await waitFor('the stream to unsubscribe', () => ports.listenerCount === listenersBefore);
  });

  it('predicts with the rules: a flaming fire window scores above a normal one', async () => {
    current = new RuleModel();
    const fire = await post('/v1/predict', {
      deviceId: 'gw-1',
      readings: scenarioReadings('ul217-flaming-pu', 'gw-1'),
    });
    const normal = await post('/v1/predict', { readings: scenarioReadings('normal-day', 'gw-1') });
    expect(fire.status).toBe(200);
    const f = ((await fire.json()) as { prediction: Prediction }).prediction;
    const n = ((await normal.json()) as { prediction: Prediction }).prediction;
    expect(f.modelVersion).toBe('rules');
    expect(f.steps).toBe(91);
    expect(f.probability).toBeGreaterThan(n.probability);
    expect(f.maxProbability).toBeGreaterThan(n.maxProbability);
    expect(f.level).toBe('high');
    expect(f.class).toBe('fire');
    expect(n.class).toBe('no-fire');
    expect(f.features).toHaveProperty('temp_level');
    expect(ports.calls).toContainEqual({
      kind: 'predict',
      deviceId: 'gw-1',
      readings: expect.any(Number) as number,
    });
  });

  it('predicts with a trained ONNX model (the shipped one): a flaming fire scores above a normal day', async () => {
    const shipped = await loadModelDir(fileURLToPath(new URL('../models/default', import.meta.url)));
    current = shipped;
    const fire = (await (
      await post('/v1/predict', { readings: scenarioReadings('ul217-flaming-pu', 'gw-1') })
    ).json()) as {
      prediction: Prediction;
    };
    const normal = (await (
      await post('/v1/predict', { readings: scenarioReadings('normal-day', 'gw-1') })
    ).json()) as {
      prediction: Prediction;
    };
    try {
      expect(fire.prediction.modelVersion).toBe(shipped.manifest.version);
      expect(fire.prediction.probability).toBeGreaterThanOrEqual(0);
      expect(fire.prediction.probability).toBeLessThanOrEqual(1);
      expect(fire.prediction.maxProbability).toBeGreaterThan(normal.prediction.maxProbability);
    } finally {
      current = new RuleModel();
      await shipped.close();
    }
  });

  it('refuses bad prediction requests with the path of the first bad field', async () => {
    const readings = scenarioReadings('normal-day', 'gw-1').slice(0, 40);
    expect((await errorOf(await post('/v1/predict', {}), 400)).message).toMatch(/^body\.readings: /);
    const wrongType = readings.map((r, i) => (i === 1 ? { ...r, ts: 'soon' } : r));
    expect((await errorOf(await post('/v1/predict', { readings: wrongType }), 400)).message).toMatch(
      /^body\.readings\.1\.ts: /,
    );
    const unknown = readings.map((r, i) => (i === 2 ? { ...r, protocol: 'geiger' } : r));
    expect((await errorOf(await post('/v1/predict', { readings: unknown }), 400)).message).toMatch(
      /^body\.readings\.2\.protocol: /,
    );
    const thermal = readings.findIndex((r) => r.protocol === 'mcu90640');
    const bigFrame = readings.map((r, i) => (i === thermal ? { ...r, width: 1000, height: 1000 } : r));
    expect((await errorOf(await post('/v1/predict', { readings: bigFrame }), 400)).message).toMatch(
      new RegExp(`^body\\.readings\\.${thermal}\\.pixels_c: `),
    );
    const short = await errorOf(await post('/v1/predict', { readings: readings.slice(0, 3) }), 422);
    expect(short.code).toBe('EMBER_ERR_PREDICT');
    const huge = `{"readings":[${JSON.stringify(readings[0]).replace(/"ts":\d+/, '"ts":1e999')}]}`;
    expect((await errorOf(await raw('/v1/predict', huge, 'application/json'), 400)).message).toMatch(
      /^body\.readings\.0\.ts: /,
    );
  });

  it('turns hostile requests into 4xx and keeps serving', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect((await errorOf(await raw('/v1/predict', garbage, 'application/json'), 400)).code).toBe(
      'EMBER_ERR_API_BAD_REQUEST',
    );
    await errorOf(await raw('/v1/predict', '{"readings": [', 'application/json'), 400);
    await errorOf(await raw('/v1/predict', '{"__proto__": {"polluted": true}}', 'application/json'), 400);
    await errorOf(await raw('/v1/predict', '[]', 'application/json'), 400);
    await errorOf(await raw('/v1/predict', '', 'application/json'), 400);
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    await errorOf(await raw('/v1/predict', deep, 'application/json'), 400);
    const deepObject = `{"readings":[{"x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}]}`;
    expect((await errorOf(await raw('/v1/predict', deepObject, 'application/json'), 400)).message).toMatch(
      /^body\.readings\.0\.protocol: /,
    );
    const big = JSON.stringify({ readings: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    expect((await errorOf(await raw('/v1/predict', big, 'application/json'), 413)).code).toBe(
      'EMBER_ERR_API_BAD_REQUEST',
    );
    await errorOf(
      await raw('/v1/incidents/inc-1/acknowledge', 'by=dana', 'application/x-www-form-urlencoded'),
      415,
    );
    await errorOf(await raw('/v1/incidents/inc-1/acknowledge', '{"by":"dana"}', 'text/plain'), 415);
    await errorOf(await get('/v1/devices', { method: 'DELETE' }), 404);
    await errorOf(await get('/v1/nothing-here'), 404);
    await new Promise<void>((resolve) => {
      const url = new URL(base);
      const socket = connect(Number(url.port), url.hostname, () => socket.end(garbage));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.resume();
    });
    expect((await get('/healthz')).status).toBe(200);
    expect(ports.incidentMap.get('inc-1')?.state).toBe('open');
  });

  it('answers an unexpected failure with a generic 500 and logs it', async () => {
    const original = ports.decisions.bind(ports);
    ports.decisions = () => {
      throw new Error('disk on fire at /var/lib/secret');
    };
    try {
      const response = await get('/v1/decisions');
      const error = await errorOf(response, 500);
      expect(error.code).toBe('internal');
      expect(error.message).not.toContain('secret');
      expect(
        logLines.some((line) => line.includes('disk on fire') && line.includes('"component":"api"')),
      ).toBe(true);
    } finally {
      ports.decisions = original;
    }
    expect((await get('/v1/decisions')).status).toBe(200);
  });

  it('serves the dashboard and uPlot, and nothing else from disk', async () => {
    const page = await get('/');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('data-testid="fleet"');
    expect((await get('/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('/assets/uPlot.iife.min.js')).status).toBe(200);
    expect((await get('/assets/uPlot.min.css')).headers.get('content-type')).toMatch(/^text\/css/);
    await errorOf(await get('/assets/..%2F..%2F..%2Fpackage.json'), 404);
    await errorOf(await get('/assets/dashboard-assets.ts'), 404);
  });

  it('reports a port already taken as EMBER_ERR_API_LISTEN', async () => {
    const url = new URL(base);
    const second = new CloudApi({
      ports,
      access: auth.access,
      csrfKey: auth.csrfKey,
      host: url.hostname,
      port: Number(url.port),
    });
    const error = await second.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEmberError(error, 'EMBER_ERR_API_LISTEN')).toBe(true);
    expect(() => second.url).toThrow(/not listening/);
  });
});
