import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EdgeAgent } from '../edge/agent.js';
import { startPlayback, type RunningPlayback } from '../simulators/playback/start-playback.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { startEdgeBed, sensorsOf, type EdgeBed } from './edge-setup.js';
import { startPasswordMosquitto, type MosquittoProcess } from './helpers/mosquitto.js';
import { waitFor } from './helpers/wait.js';

const SPEED = 10;
const DEVICE = 'gw-ha-1';
const HA_USER = { username: 'homeassistant', password: 'the hub has its own broker' };

/*
 * Home Assistant's MQTT discovery, as its documentation states it (MQTT
 * integration: discovery, binary sensor, sensor; device and state classes):
 * `<prefix>/<component>/[<node_id>/]<object_id>/config`, ids of [a-zA-Z0-9_-];
 * a device block with identifiers; unit and device class must agree.
 */
const ID = /^[A-Za-z0-9_-]+$/;
const Device = z.object({
  identifiers: z.array(z.string().min(1)).min(1),
  name: z.string().min(1),
  manufacturer: z.string().min(1),
  model: z.string().min(1),
  sw_version: z.string().min(1),
});
const Common = z.object({
  name: z.string().min(1),
  unique_id: z.string().regex(ID),
  state_topic: z.string().regex(/^[^#+]+$/),
  value_template: z.string().regex(/^\{\{ value_json\.[a-z0-9_]+ \}\}$/),
  availability_topic: z.string().regex(/^[^#+]+$/),
  payload_available: z.string().min(1),
  payload_not_available: z.string().min(1),
  device: Device,
  origin: z.object({ name: z.string().min(1) }).loose(),
  entity_category: z.enum(['config', 'diagnostic']).optional(),
});
const BinarySensor = Common.extend({
  device_class: z.enum(['smoke', 'heat', 'problem', 'safety', 'gas', 'carbon_monoxide']),
  payload_on: z.string().min(1),
  payload_off: z.string().min(1),
}).strict();
/** The sensor device classes used here, with the units Home Assistant accepts for each. */
const UNITS: Record<string, readonly string[]> = {
  temperature: ['°C', '°F', 'K'],
  humidity: ['%'],
  atmospheric_pressure: ['hPa', 'kPa', 'Pa', 'mbar', 'inHg', 'psi', 'mmHg', 'cbar', 'bar'],
  carbon_monoxide: ['ppm'],
  carbon_dioxide: ['ppm'],
  pm1: ['µg/m³'],
  pm25: ['µg/m³'],
  pm10: ['µg/m³'],
};
const NumericSensor = Common.extend({
  device_class: z.enum(Object.keys(UNITS) as [string, ...string[]]).optional(),
  unit_of_measurement: z.string().min(1),
  state_class: z.enum(['measurement', 'total', 'total_increasing']),
  suggested_display_precision: z.number().int().min(0).optional(),
})
  .strict()
  .refine((c) => c.device_class === undefined || UNITS[c.device_class]?.includes(c.unit_of_measurement), {
    message: 'unit not allowed for the device class',
  });
const EnumSensor = Common.extend({
  device_class: z.literal('enum'),
  options: z.array(z.string()).min(2),
}).strict();

interface Seen {
  readonly retained: Map<string, string>;
  readonly all: { topic: string; payload: string; retain: boolean }[];
}

/** Subscribes as Home Assistant does: its discovery prefix, and the topics its entities name. */
async function homeAssistant(url: string): Promise<{ client: MqttClient; seen: Seen }> {
  const client = await connectAsync(url, {
    ...HA_USER,
    clientId: `home-assistant-${Math.random().toString(36).slice(2)}`,
  });
  const seen: Seen = { retained: new Map(), all: [] };
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    seen.all.push({ topic, payload: text, retain: packet.retain });
    seen.retained.set(topic, text);
  });
  await client.subscribeAsync(['homeassistant/#', 'emberwatch/#'], { qos: 1 });
  return { client, seen };
}

function configsOf(seen: Seen): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [topic, payload] of seen.retained) {
    if (topic.startsWith('homeassistant/') && topic.endsWith('/config')) {
      out.set(topic, JSON.parse(payload) as Record<string, unknown>);
    }
  }
  return out;
}

/** What `{{ value_json.KEY }}` renders to in Home Assistant (None for null or a missing key). */
function render(template: string, state: Record<string, unknown>): string {
  const key = /value_json\.([a-z0-9_]+)/.exec(template)?.[1] ?? '';
  const value = state[key];
  if (value === undefined || value === null) return 'None';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

describe("Home Assistant MQTT discovery on the owner's broker", () => {
  let dir: string;
  let hub: MosquittoProcess;
  let bed: EdgeBed;
  let playback: RunningPlayback | undefined;
  let agent: EdgeAgent | undefined;
  let ha: { client: MqttClient; seen: Seen };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-ha-'));
    hub = await startPasswordMosquitto(dir, HA_USER);
    bed = await startEdgeBed();
    ha = await homeAssistant(hub.url);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await playback?.stop();
    await ha.client.endAsync();
    await bed.close();
    await hub.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('announces every entity by the documented schema, follows a fire to smoke ON, and goes offline on stop', async () => {
    const scenario = drawScenario('ul217-flaming-pu', 1);
    const fire =
      scenario.fire === null ? scenario : { ...scenario, fire: { ...scenario.fire, ignition_s: 20 } };
    playback = await startPlayback(simulateRun(fire, { durationS: 150 }), { speed: SPEED });
    const sensors = sensorsOf(playback.devices);
    const config = await bed.config(DEVICE, sensors, {
      homeAssistant: { url: hub.url, ...HA_USER, stateIntervalS: 1 },
    });
    agent = await bed.agent(config, { timeScale: SPEED });
    await agent.start();

    const stateTopic = `emberwatch/${DEVICE}/state`;
    await waitFor('the first state', () => ha.seen.retained.has(stateTopic), 10_000);
    const configs = configsOf(ha.seen);
    const byKey = new Map([...configs].map(([topic, c]) => [topic.split('/')[3] ?? '', { topic, c }]));
    const protocols = new Set(sensors.map((s) => s.protocol));
    const expected = ['smoke', 'heat', 'trouble', 'alarm', 'probability'];
    if (protocols.has('mcu680')) expected.push('temperature', 'humidity', 'pressure');
    if (protocols.has('pms5003')) expected.push('pm1', 'pm25', 'pm10');
    if (protocols.has('ze07')) expected.push('co');
    if (protocols.has('mhz19b')) expected.push('co2');
    if (protocols.has('mcu90640')) expected.push('thermal_max');
    expect(protocols.size).toBeGreaterThanOrEqual(4);
    expect(new Set(byKey.keys())).toEqual(new Set(expected));

    const uniqueIds = new Set<unknown>();
    for (const [topic, config] of configs) {
      const [, component, node, objectId, last] = topic.split('/');
      expect(node).toMatch(ID);
      expect(objectId).toMatch(ID);
      expect(last).toBe('config');
      const schema =
        component === 'binary_sensor'
          ? BinarySensor
          : config['device_class'] === 'enum'
            ? EnumSensor
            : NumericSensor;
      const parsed = schema.safeParse(config);
      if (!parsed.success) throw new Error(`${topic}: ${parsed.error.message}`);
      expect(config['state_topic']).toBe(stateTopic);
      expect(config['availability_topic']).toBe(`emberwatch/${DEVICE}/availability`);
      expect((config['device'] as { identifiers: string[] }).identifiers).toEqual([`emberwatch_${DEVICE}`]);
      uniqueIds.add(config['unique_id']);
    }
    expect(uniqueIds.size).toBe(configs.size);
    expect(byKey.get('smoke')?.c['device_class']).toBe('smoke');
    expect(byKey.get('heat')?.c['device_class']).toBe('heat');
    expect(ha.seen.retained.get(`emberwatch/${DEVICE}/availability`)).toBe('online');
    // Retained: a Home Assistant started later still finds the gateway, its state and availability.
    const later = await homeAssistant(hub.url);
    try {
      await waitFor('the retained messages', () => configsOf(later.seen).size === configs.size, 10_000);
      expect(later.seen.all.every((m) => m.retain)).toBe(true);
      expect(later.seen.retained.get(`emberwatch/${DEVICE}/availability`)).toBe('online');
      expect(later.seen.retained.has(stateTopic)).toBe(true);
    } finally {
      await later.client.endAsync();
    }

    // Every entity's template renders a value its kind accepts, from the first state on.
    const check = (state: Record<string, unknown>): void => {
      for (const [key, { c }] of byKey) {
        const value = render(String(c['value_template']), state);
        if (c['payload_on'] !== undefined) expect([c['payload_on'], c['payload_off']], key).toContain(value);
        else if (c['device_class'] === 'enum') expect(c['options'], key).toContain(value);
        else if (value !== 'None') expect(Number.isFinite(Number(value)), `${key}: ${value}`).toBe(true);
      }
    };
    const first = JSON.parse(ha.seen.retained.get(stateTopic) ?? '{}') as Record<string, unknown>;
    check(first);

    // The fire: the alarm reaches Home Assistant as smoke ON, with channels read by then.
    await waitFor(
      'smoke ON',
      () => (JSON.parse(ha.seen.retained.get(stateTopic) ?? '{}') as { smoke?: string }).smoke === 'ON',
      40_000,
    );
    const burning = JSON.parse(ha.seen.retained.get(stateTopic) ?? '{}') as Record<string, unknown>;
    check(burning);
    expect(burning['alarm']).toBe('high');
    // A percentage (the model's probability; the alarm may also come from a floor under it).
    expect(Number(burning['probability'])).toBeGreaterThan(0);
    expect(Number(burning['probability'])).toBeLessThanOrEqual(100);
    expect(typeof burning['temperature']).toBe('number');
    expect(typeof burning['co']).toBe('number');

    // Home Assistant restarts: on its birth message the gateway announces itself again.
    const before = ha.seen.all.filter((m) => m.topic.endsWith('/smoke/config')).length;
    await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitFor(
      'discovery again',
      () => ha.seen.all.filter((m) => m.topic.endsWith('/smoke/config')).length > before,
      10_000,
    );

    await agent.stop();
    agent = undefined;
    await waitFor(
      'offline',
      () => ha.seen.retained.get(`emberwatch/${DEVICE}/availability`) === 'offline',
      10_000,
    );
  }, 90_000);
});
