import { FIXED_HEAT_ALARM_C } from '../../shared/detection/conventional-detectors.js';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { ProtocolName, Reading } from '../../shared/schemas/readings.js';

/** What the gateway tells Home Assistant, in the units Home Assistant expects. */
export interface HomeAssistantState {
  readonly alarm: AlarmLevel;
  /** The gateway's fire alarm: ON at level high. */
  readonly smoke: 'ON' | 'OFF';
  /** ON while the air temperature stands at a fixed-heat detector's alarm point or above. */
  readonly heat: 'ON' | 'OFF';
  /** ON while the gateway has a trouble condition (a silent or faulty module, a failing disk). */
  readonly trouble: 'ON' | 'OFF';
  /** Fire probability, %. */
  readonly probability: number;
  /** Channel values by key ({@link CHANNELS_BY_PROTOCOL}); null when not read yet. */
  readonly [channel: string]: string | number | null;
}

/** One channel as a Home Assistant sensor: where its value comes from and how it is shown. */
interface ChannelSensor {
  readonly key: string;
  readonly name: string;
  readonly deviceClass?: string;
  readonly unit: string;
  readonly digits: number;
  readonly pick: (reading: Reading) => number | undefined;
}

const field =
  (name: string) =>
  (reading: Reading): number | undefined => {
    const value = (reading as unknown as Record<string, unknown>)[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };

/** The channels each module gives, with the device classes and units of Home Assistant's sensor documentation. */
export const CHANNELS_BY_PROTOCOL: Readonly<Record<ProtocolName, readonly ChannelSensor[]>> = {
  pms5003: [
    { key: 'pm1', name: 'PM1', deviceClass: 'pm1', unit: 'µg/m³', digits: 0, pick: field('pm1_ugm3') },
    { key: 'pm25', name: 'PM2.5', deviceClass: 'pm25', unit: 'µg/m³', digits: 0, pick: field('pm25_ugm3') },
    { key: 'pm10', name: 'PM10', deviceClass: 'pm10', unit: 'µg/m³', digits: 0, pick: field('pm10_ugm3') },
  ],
  ze07: [
    {
      key: 'co',
      name: 'Carbon monoxide',
      deviceClass: 'carbon_monoxide',
      unit: 'ppm',
      digits: 1,
      pick: field('co_ppm'),
    },
  ],
  mhz19b: [
    {
      key: 'co2',
      name: 'Carbon dioxide',
      deviceClass: 'carbon_dioxide',
      unit: 'ppm',
      digits: 0,
      pick: field('co2_ppm'),
    },
  ],
  mcu680: [
    {
      key: 'temperature',
      name: 'Temperature',
      deviceClass: 'temperature',
      unit: '°C',
      digits: 1,
      pick: field('temp_c'),
    },
    {
      key: 'humidity',
      name: 'Humidity',
      deviceClass: 'humidity',
      unit: '%',
      digits: 1,
      pick: field('humidity_pct'),
    },
    {
      key: 'pressure',
      name: 'Pressure',
      deviceClass: 'atmospheric_pressure',
      unit: 'hPa',
      digits: 1,
      pick: field('pressure_hpa'),
    },
  ],
  mcu90640: [
    {
      key: 'thermal_max',
      name: 'Hottest spot',
      deviceClass: 'temperature',
      unit: '°C',
      digits: 1,
      pick: (reading) => {
        const pixels = (reading as { pixels_c?: unknown }).pixels_c;
        if (!Array.isArray(pixels) || pixels.length === 0) return undefined;
        const max = Math.max(
          ...pixels.filter((p): p is number => typeof p === 'number' && Number.isFinite(p)),
        );
        return Number.isFinite(max) ? max : undefined;
      },
    },
  ],
};

/** Where a gateway's entities live: its discovery prefix, and its own state and availability topics. */
export interface HomeAssistantTopics {
  readonly discoveryPrefix: string;
  readonly state: string;
  readonly availability: string;
  /** Home Assistant's own birth and will: 'online' after it (re)starts. */
  readonly haStatus: string;
}

export function homeAssistantTopics(
  deviceId: string,
  discoveryPrefix: string,
  topicRoot: string,
): HomeAssistantTopics {
  return {
    discoveryPrefix,
    state: `${topicRoot}/${deviceId}/state`,
    availability: `${topicRoot}/${deviceId}/availability`,
    haStatus: `${discoveryPrefix}/status`,
  };
}

/** One retained discovery message. */
export interface DiscoveryMessage {
  readonly topic: string;
  readonly config: Record<string, unknown>;
}

/** What the discovery configs say of the gateway itself. */
export interface GatewayFacts {
  readonly deviceId: string;
  readonly software: string;
  readonly protocols: readonly ProtocolName[];
}

/** Home Assistant object ids allow [a-zA-Z0-9_-]; a device id may also hold ':'. */
function objectIdOf(deviceId: string): string {
  return `emberwatch_${deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * The discovery configs of one gateway (Home Assistant's MQTT discovery:
 * `<prefix>/<component>/<node_id>/<object_id>/config`, retained): the fire
 * alarm and heat as binary sensors, trouble, the alarm level, the fire
 * probability and each channel its modules give. Every entity reads the one
 * retained state topic and shares the gateway's device block and its
 * availability (the MQTT last will).
 */
export function discoveryMessages(facts: GatewayFacts, topics: HomeAssistantTopics): DiscoveryMessage[] {
  const node = objectIdOf(facts.deviceId);
  const device = {
    identifiers: [node],
    name: `Emberwatch ${facts.deviceId}`,
    manufacturer: 'Emberwatch',
    model: 'Emberwatch gateway',
    sw_version: facts.software,
  };
  const common = {
    state_topic: topics.state,
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
    device,
    origin: { name: 'Emberwatch', sw_version: facts.software },
  };
  const entity = (component: string, key: string, config: Record<string, unknown>): DiscoveryMessage => ({
    topic: `${topics.discoveryPrefix}/${component}/${node}/${key}/config`,
    config: { ...common, unique_id: `${node}_${key}`, value_template: `{{ value_json.${key} }}`, ...config },
  });
  const binary = { payload_on: 'ON', payload_off: 'OFF' };
  const messages = [
    entity('binary_sensor', 'smoke', { name: 'Fire alarm', device_class: 'smoke', ...binary }),
    entity('binary_sensor', 'heat', { name: 'Heat', device_class: 'heat', ...binary }),
    entity('binary_sensor', 'trouble', {
      name: 'Trouble',
      device_class: 'problem',
      entity_category: 'diagnostic',
      ...binary,
    }),
    entity('sensor', 'alarm', {
      name: 'Alarm level',
      device_class: 'enum',
      options: ['none', 'low', 'medium', 'high'],
    }),
    entity('sensor', 'probability', {
      name: 'Fire probability',
      unit_of_measurement: '%',
      state_class: 'measurement',
      suggested_display_precision: 0,
    }),
  ];
  for (const protocol of new Set(facts.protocols)) {
    for (const channel of CHANNELS_BY_PROTOCOL[protocol]) {
      messages.push(
        entity('sensor', channel.key, {
          name: channel.name,
          ...(channel.deviceClass === undefined ? {} : { device_class: channel.deviceClass }),
          unit_of_measurement: channel.unit,
          state_class: 'measurement',
          suggested_display_precision: channel.digits,
        }),
      );
    }
  }
  return messages;
}

/** The gateway's alarm and trouble as it stands. */
export interface GatewayCondition {
  readonly level: AlarmLevel;
  readonly probability: number;
  readonly troubles: number;
}

/** The state payload: the condition, and each channel's newest value (null before the first). */
export function homeAssistantState(
  condition: GatewayCondition,
  protocols: readonly ProtocolName[],
  latest: ReadonlyMap<string, number>,
): HomeAssistantState {
  const channels: Record<string, number | null> = {};
  for (const protocol of new Set(protocols)) {
    for (const channel of CHANNELS_BY_PROTOCOL[protocol]) {
      const value = latest.get(channel.key);
      channels[channel.key] = value === undefined ? null : round(value, channel.digits);
    }
  }
  const temperature = latest.get('temperature');
  const p = Number.isFinite(condition.probability) ? Math.min(1, Math.max(0, condition.probability)) : 0;
  return {
    ...channels,
    alarm: condition.level,
    smoke: condition.level === 'high' ? 'ON' : 'OFF',
    heat: temperature !== undefined && temperature >= FIXED_HEAT_ALARM_C ? 'ON' : 'OFF',
    trouble: condition.troubles > 0 ? 'ON' : 'OFF',
    probability: round(p * 100, 1),
  };
}

/** Notes one reading's channel values into `latest`. */
export function noteChannels(reading: Reading, latest: Map<string, number>): void {
  for (const channel of CHANNELS_BY_PROTOCOL[reading.protocol]) {
    const value = channel.pick(reading);
    if (value !== undefined) latest.set(channel.key, value);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
