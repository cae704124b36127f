import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KIT } from '../simulators/devices/kit.js';
import { startKit, type RunningKit } from '../simulators/devices/start-kit.js';
import type { EdgeAgent } from '../edge/agent.js';
import { startEdgeBed, type EdgeBed, sensorsOf } from './edge-setup.js';
import { sleep, waitFor } from './helpers/wait.js';

function metric(text: string, name: string, sensor: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`sensor="${sensor}"`));
  return Number(line?.split(' ').pop());
}

describe('edge agent status endpoints and serial faults', () => {
  let bed: EdgeBed;
  let kit: RunningKit;
  let agent: EdgeAgent;
  beforeAll(async () => {
    bed = await startEdgeBed();
    kit = await startKit(DEFAULT_KIT, { speed: 1 });
    const sensors = sensorsOf(kit.devices);
    agent = await bed.agent(await bed.config('gw-status-1', sensors));
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
    await kit.stop();
    await bed.close();
  });

  it('serves /healthz and /metrics with the expected names', async () => {
    await waitFor('the link online', () => agent.linkOnline, 10_000);
    const health = (await (await fetch(`${agent.statusUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, link: 'online', model: 'rules (no model configured)' });
    expect(Object.keys(health['sensors'] as object).sort()).toEqual(kit.devices.map((d) => d.id).sort());
    expect(health['outbox']).toHaveProperty('depth');
    const response = await fetch(`${agent.statusUrl}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const name of [
      'emberwatch_sensor_readings_total{',
      'emberwatch_sensor_checksum_errors_total{',
      'emberwatch_sensor_dropped_bytes_total{',
      'emberwatch_sensor_implausible_readings_total{',
      'emberwatch_inference_seconds_bucket{le="+Inf"}',
      'emberwatch_outbox_messages{priority="alarm"}',
      'emberwatch_outbox_oldest_age_seconds{priority="telemetry"}',
      'emberwatch_link_up{',
      'emberwatch_model_info{device="gw-status-1",version="rules"} 1',
      'emberwatch_alarm_level{',
    ]) {
      expect(text).toContain(name);
    }
    expect((await fetch(`${agent.statusUrl}/nope`)).status).toBe(404);
  }, 20_000);

  it('keeps reading through garbage and an unplug; decode error counters rise', async () => {
    const before = await (await fetch(`${agent.statusUrl}/metrics`)).text();
    const readingsBefore = metric(before, 'emberwatch_sensor_readings_total', 'pms5003');
    const emulator = kit.emulator('pms5003');
    await emulator.inject({ kind: 'garbage', bytes: 64 });
    await emulator.inject({ kind: 'bad-checksum' });
    await sleep(2500);
    await emulator.inject({ kind: 'disconnect', seconds: 1 });
    await sleep(3500);
    const after = await (await fetch(`${agent.statusUrl}/metrics`)).text();
    expect(metric(after, 'emberwatch_sensor_checksum_errors_total', 'pms5003')).toBeGreaterThan(
      metric(before, 'emberwatch_sensor_checksum_errors_total', 'pms5003'),
    );
    expect(metric(after, 'emberwatch_sensor_dropped_bytes_total', 'pms5003')).toBeGreaterThan(
      metric(before, 'emberwatch_sensor_dropped_bytes_total', 'pms5003'),
    );
    const readingsAfter = metric(after, 'emberwatch_sensor_readings_total', 'pms5003');
    await waitFor('readings resume', () => readingsAfter > readingsBefore, 100);
    const later = metric(
      await (await fetch(`${agent.statusUrl}/metrics`)).text(),
      'emberwatch_sensor_readings_total',
      'pms5003',
    );
    await sleep(2000);
    const latest = metric(
      await (await fetch(`${agent.statusUrl}/metrics`)).text(),
      'emberwatch_sensor_readings_total',
      'pms5003',
    );
    expect(latest).toBeGreaterThan(later);
    expect((await agent.snapshot()).steps).toBeGreaterThan(5);
  }, 25_000);
});
