import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import { parseAgentConfig } from '../config/agent-config.js';
import { discoveryMessages, homeAssistantState, homeAssistantTopics, noteChannels } from './discovery.js';
import { HomeAssistantBridge } from './home-assistant-bridge.js';

const topics = homeAssistantTopics('gw:1', 'homeassistant', 'emberwatch');
const quiet = { level: 'none', probability: 0.031, troubles: 0 } as const;

describe('Home Assistant discovery configs and state', () => {
  it('names entities with ids Home Assistant accepts, one sensor per channel of the modules present', () => {
    const messages = discoveryMessages({ deviceId: 'gw:1', software: '1.2.3', protocols: ['ze07'] }, topics);
    expect(messages.map((m) => m.topic)).toEqual([
      'homeassistant/binary_sensor/emberwatch_gw_1/smoke/config',
      'homeassistant/binary_sensor/emberwatch_gw_1/heat/config',
      'homeassistant/binary_sensor/emberwatch_gw_1/trouble/config',
      'homeassistant/sensor/emberwatch_gw_1/alarm/config',
      'homeassistant/sensor/emberwatch_gw_1/probability/config',
      'homeassistant/sensor/emberwatch_gw_1/co/config',
    ]);
    expect(messages[5]?.config).toMatchObject({
      unique_id: 'emberwatch_gw_1_co',
      device_class: 'carbon_monoxide',
      unit_of_measurement: 'ppm',
      state_topic: 'emberwatch/gw:1/state',
      device: { identifiers: ['emberwatch_gw_1'], sw_version: '1.2.3' },
    });
  });

  it('says smoke ON only in alarm, heat ON from the fixed-heat point, and null for a channel not read yet', () => {
    const latest = new Map<string, number>();
    expect(homeAssistantState(quiet, ['mcu680', 'ze07'], latest)).toMatchObject({
      alarm: 'none',
      smoke: 'OFF',
      heat: 'OFF',
      trouble: 'OFF',
      probability: 3.1,
      temperature: null,
      co: null,
    });
    noteChannels(
      {
        protocol: 'mcu680',
        ts: 1,
        temp_c: 57.04,
        humidity_pct: 20,
        pressure_hpa: 1000,
        gas_ohm: 1,
        iaq: 1,
      } as never,
      latest,
    );
    const hot = homeAssistantState({ level: 'medium', probability: 0.5, troubles: 1 }, ['mcu680'], latest);
    expect(hot).toMatchObject({ smoke: 'OFF', heat: 'ON', trouble: 'ON', temperature: 57, humidity: 20 });
    expect(homeAssistantState({ ...quiet, level: 'high' }, [], latest).smoke).toBe('ON');
  });
});

describe('the homeAssistant config section', () => {
  const base = {
    deviceId: 'gw-1',
    sensors: [{ id: 'co', protocol: 'ze07', path: '/dev/ttyUSB0' }],
    broker: { host: 'b', certPath: 'c', keyPath: 'k' },
    outbox: { path: 'o.db' },
  };

  it('is off when absent, takes defaults, and the password from the environment', () => {
    expect(parseAgentConfig(base).homeAssistant).toBeUndefined();
    const config = parseAgentConfig(
      { ...base, homeAssistant: { url: 'mqtt://hub.local:1883', username: 'ha' } },
      { EMBERWATCH_HOME_ASSISTANT_PASSWORD: 'secret words' },
    );
    expect(config.homeAssistant).toEqual({
      url: 'mqtt://hub.local:1883',
      username: 'ha',
      password: 'secret words',
      discoveryPrefix: 'homeassistant',
      topicRoot: 'emberwatch',
      stateIntervalS: 30,
    });
  });

  it('refuses a URL that is not MQTT, naming the field', () => {
    expect(() => parseAgentConfig({ ...base, homeAssistant: { url: 'http://hub.local' } })).toThrow(
      /homeAssistant\.url: expected mqtt:\/\/HOST/,
    );
  });
});

describe('HomeAssistantBridge', () => {
  it('starts and stops without an error when the broker is not there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const bridge = new HomeAssistantBridge({
      settings: {
        url: `mqtt://127.0.0.1:${port}`,
        discoveryPrefix: 'homeassistant',
        topicRoot: 'emberwatch',
        stateIntervalS: 1,
      },
      deviceId: 'gw-1',
      software: 'test',
      protocols: ['ze07'],
      condition: () => quiet,
      logger: silentLogger(),
      checkIntervalMs: 10,
    });
    bridge.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(bridge.stop()).resolves.toBeUndefined();
  });
});
