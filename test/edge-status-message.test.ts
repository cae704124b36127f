import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayback } from '../simulators/playback/start-playback.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { StatusMessage } from '../shared/schemas/messages.js';
import { startEdgeBed, type EdgeBed, sensorsOf } from './edge-setup.js';
import { sleep, waitFor } from './helpers/wait.js';

/**
 * A real agent reads a real emulated kit on ptys (a flaming fire at SPEED×)
 * and publishes over mutual TLS; a cloud service subscribed to the device's
 * status topic must see valid health statuses naming every module, with
 * decode counters, a thermal picture and fresh ids, and never as retained.
 */
const SPEED = 10;

interface Arrival {
  readonly body: Record<string, unknown>;
  readonly retain: boolean;
}

describe('edge agent health status over mutual TLS', () => {
  let bed: EdgeBed;
  beforeAll(async () => {
    bed = await startEdgeBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('publishes a health status right after start and then every interval, with every sensor and a PNG', async () => {
    const deviceId = 'gw-health-1';
    const topic = `emberwatch/v1/${deviceId}/status`;
    const service = await bed.broker.service('svc-health');
    const arrivals: Arrival[] = [];
    service.on('message', (_topic, payload, packet) => {
      arrivals.push({
        body: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
        retain: packet.retain,
      });
    });
    await service.subscribeAsync(topic, { qos: 1 });

    const scenario = drawScenario('ul217-flaming-pu', 1);
    const run = simulateRun(scenario, { durationS: 60 });
    const playback = await startPlayback(run, { speed: SPEED });
    try {
      const sensors = sensorsOf(playback.devices);
      const config = await bed.config(deviceId, sensors, { statusIntervalS: 5 });
      const agent = await bed.agent(config, { timeScale: SPEED, softwareVersion: '9.9.9-test' });
      await agent.start();
      const health = (): StatusMessage[] =>
        arrivals.filter((a) => a.body['kind'] === 'health').map((a) => StatusMessage.parse(a.body));
      const complete = (m: StatusMessage): boolean =>
        m.thermalPngBase64 !== undefined && Object.values(m.sensors).every((s) => s.frames > 0);
      await waitFor(
        'a health status with every sensor decoding and a picture',
        () => health().some(complete),
        15_000,
      );
      await waitFor('a few more statuses', () => health().length >= 3, 10_000);
      await agent.stop();

      const statuses = health();
      const first = statuses[0];
      const full = statuses.find(complete);
      expect(first?.deviceId).toBe(deviceId);
      expect(full).toBeDefined();
      if (full === undefined) return;
      expect(Object.keys(full.sensors).sort()).toEqual(sensors.map((s) => s.id).sort());
      for (const sensor of sensors) {
        expect(full.sensors[sensor.id]?.protocol).toBe(sensor.protocol);
        expect(full.sensors[sensor.id]?.state).toBe('open');
        expect(full.sensors[sensor.id]?.checksumErrors).toBe(0);
      }
      expect(full.software).toBe('9.9.9-test');
      expect(full.model).toBe('rules');
      expect(full.modelStatus).toMatch(/^rules/);
      expect(full.uptimeS).toBeGreaterThan(0);
      const png = Buffer.from(full.thermalPngBase64 ?? '', 'base64');
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeLessThan(16 * 1024);
      // Every status is a new message: distinct UUIDv7 ids, never retained.
      expect(new Set(statuses.map((s) => s.id)).size).toBe(statuses.length);
      for (const s of statuses)
        expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(arrivals.filter((a) => a.body['kind'] === 'health' && a.retain)).toEqual([]);
    } finally {
      await playback.stop();
    }

    // A late subscriber gets the link's retained status (the clean stop), not a health status.
    const late = await bed.broker.service('svc-health-late');
    const retained: Record<string, unknown>[] = [];
    late.on('message', (_topic, payload) =>
      retained.push(JSON.parse(payload.toString('utf8')) as Record<string, unknown>),
    );
    await late.subscribeAsync(topic, { qos: 1 });
    await sleep(300);
    expect(retained.length).toBe(1);
    expect(retained[0]?.['kind']).toBeUndefined();
    expect(retained[0]?.['state']).toBe('offline');
  }, 45_000);

  it('reports a CO cell that pins at full scale as implausible, and plausible again when it recovers', async () => {
    const deviceId = 'gw-health-2';
    const service = await bed.broker.service('svc-health-2');
    const statuses: StatusMessage[] = [];
    service.on('message', (_topic, payload) => {
      const body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (body['kind'] === 'health') statuses.push(StatusMessage.parse(body));
    });
    await service.subscribeAsync(`emberwatch/v1/${deviceId}/status`, { qos: 1 });
    // A quiet day whose CO cell saturates (500 ppm) from 30 s to 60 s of the run.
    const quiet = drawScenario('normal-day', 3);
    const saturated = { sensor: 'ze07', kind: 'saturation', start_s: 30, end_s: 60 } as const;
    const run = simulateRun(
      { ...quiet, faults: [{ ...saturated, drift_per_hour: 0, dropout_probability: 0 }] },
      { durationS: 120 },
    );
    const playback = await startPlayback(run, { speed: SPEED });
    try {
      const sensors = sensorsOf(playback.devices);
      const co = sensors.find((s) => s.protocol === 'ze07')?.id ?? 'ze07';
      const agent = await bed.agent(await bed.config(deviceId, sensors, { statusIntervalS: 2 }), {
        timeScale: SPEED,
      });
      await agent.start();
      try {
        await waitFor(
          'a status naming the CO cell implausible',
          () => statuses.some((m) => m.sensors[co]?.implausible === true),
          20_000,
        );
        const faulty = statuses.find((m) => m.sensors[co]?.implausible === true);
        expect(faulty?.sensors[co]).toMatchObject({ state: 'open', implausible: true });
        expect(faulty?.sensors[co]?.implausibleReadings).toBeGreaterThan(0);
        // The other modules are untouched.
        for (const sensor of sensors.filter((s) => s.id !== co))
          expect(faulty?.sensors[sensor.id]?.implausible).toBe(false);
        // The device is in trouble for it: a fire panel's trouble signal, not an alarm.
        await waitFor(
          'a status with the trouble of the CO cell',
          () =>
            statuses.some((m) => m.trouble?.some((t) => t.kind === 'sensor-implausible' && t.source === co)),
          10_000,
        );
        await waitFor(
          'the CO cell plausible again after the fault',
          () => statuses.at(-1)?.sensors[co]?.implausible === false,
          20_000,
        );
        await waitFor('the trouble cleared', () => statuses.at(-1)?.trouble?.length === 0, 10_000);
        const metrics = await (await fetch(`${agent.statusUrl}/metrics`)).text();
        const line = metrics
          .split('\n')
          .find(
            (l) =>
              l.startsWith('emberwatch_sensor_implausible_readings_total{') && l.includes(`sensor="${co}"`),
          );
        expect(Number(line?.split(' ').pop())).toBeGreaterThan(0);
      } finally {
        await agent.stop();
      }
    } finally {
      await playback.stop();
    }
  }, 60_000);

  it('raises a silent module as trouble within seconds of the minute, and clears it when frames return', async () => {
    const deviceId = 'gw-health-3';
    const service = await bed.broker.service('svc-health-3');
    const statuses: StatusMessage[] = [];
    service.on('message', (_topic, payload) => {
      const body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (body['kind'] === 'health') statuses.push(StatusMessage.parse(body));
    });
    await service.subscribeAsync(`emberwatch/v1/${deviceId}/status`, { qos: 1 });
    // The particle counter's cable comes loose from 20 s to 120 s of the run.
    const quiet = drawScenario('normal-day', 5);
    const loose = { sensor: 'pms5003', kind: 'disconnect', start_s: 20, end_s: 120 } as const;
    const run = simulateRun(
      { ...quiet, faults: [{ ...loose, drift_per_hour: 0, dropout_probability: 0 }] },
      { durationS: 160 },
    );
    const playback = await startPlayback(run, { speed: SPEED });
    try {
      const sensors = sensorsOf(playback.devices);
      const pm = sensors.find((s) => s.protocol === 'pms5003')?.id ?? 'pms5003';
      // Statuses only every 10 emulated minutes: the trouble must come by itself, at once.
      const agent = await bed.agent(await bed.config(deviceId, sensors, { statusIntervalS: 600 }), {
        timeScale: SPEED,
      });
      await agent.start();
      try {
        await waitFor(
          'a status naming the particle counter silent',
          () => statuses.some((m) => m.trouble?.some((t) => t.kind === 'sensor-silent' && t.source === pm)),
          20_000,
        );
        const troubled = statuses.find((m) => m.trouble?.some((t) => t.kind === 'sensor-silent'));
        expect(troubled?.trouble?.map((t) => [t.kind, t.source])).toEqual([['sensor-silent', pm]]);
        expect(troubled?.trouble?.[0]?.detail).toMatch(/pms5003/);
        // Nothing else is in trouble, and the level is untouched by it.
        expect(troubled?.level).toBe('none');
        await waitFor(
          'the trouble cleared once frames return',
          () => statuses.at(-1)?.trouble?.length === 0,
          20_000,
        );
      } finally {
        await agent.stop();
      }
    } finally {
      await playback.stop();
    }
  }, 60_000);
});
