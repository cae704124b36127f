import type { connect, IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ProtocolName, Reading } from '../../shared/schemas/readings.js';
import {
  discoveryMessages,
  homeAssistantState,
  homeAssistantTopics,
  noteChannels,
  type GatewayCondition,
  type HomeAssistantState,
  type HomeAssistantTopics,
} from './discovery.js';

/** The `homeAssistant` section of the agent's config. */
export interface HomeAssistantSettings {
  /** The broker Home Assistant listens to, e.g. mqtt://homeassistant.local:1883 or mqtts://… */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly discoveryPrefix: string;
  /** Root of the gateway's own state and availability topics on that broker. */
  readonly topicRoot: string;
  /** Seconds between state messages while nothing changes (channel values drift). */
  readonly stateIntervalS: number;
}

export interface HomeAssistantBridgeOptions {
  readonly settings: HomeAssistantSettings;
  readonly deviceId: string;
  readonly software: string;
  readonly protocols: readonly ProtocolName[];
  /** The alarm level, probability and trouble count as they stand; cheap, called every second. */
  readonly condition: () => GatewayCondition;
  readonly logger: Logger;
  /** Real ms between condition checks (default 1000). */
  readonly checkIntervalMs?: number;
}

/**
 * Makes a gateway visible to Home Assistant through MQTT discovery, on a
 * broker of the owner's (Home Assistant's), apart from the cloud link:
 * retained discovery configs, a retained state that changes at once with the
 * alarm level or trouble and every `stateIntervalS` otherwise, and
 * availability as the connection's last will. Off unless configured. A broker
 * that is down or refuses us costs warnings, never the agent. MQTT.js is
 * loaded by `start`, so a gateway without Home Assistant never carries it
 * (it is some 90 modules, a few MB of a gateway's resident memory).
 */
export class HomeAssistantBridge {
  readonly #o: HomeAssistantBridgeOptions;
  readonly #log: Logger;
  readonly #topics: HomeAssistantTopics;
  readonly #latest = new Map<string, number>();
  #client: MqttClient | undefined;
  /** Set from start until stop; the client comes once MQTT.js is loaded. */
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastKey = '';
  #lastSentAt = 0;

  constructor(options: HomeAssistantBridgeOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'home-assistant' });
    const s = options.settings;
    this.#topics = homeAssistantTopics(options.deviceId, s.discoveryPrefix, s.topicRoot);
  }

  /** Connects (in the background: start never waits for Home Assistant's broker). */
  start(): void {
    if (this.#connecting !== undefined) return;
    const loading: Promise<void> = import('mqtt').then(
      (mqtt) => {
        // Stopped while MQTT.js was loading: nothing to connect.
        if (this.#connecting === loading) this.#connect(mqtt.connect);
      },
      (error: unknown) => this.#log.warn({ err: String(error) }, 'cannot load the MQTT client'),
    );
    this.#connecting = loading;
    this.#timer = setInterval(() => this.#check(), this.#o.checkIntervalMs ?? 1000);
    this.#timer.unref();
  }

  #connect(connectTo: typeof connect): void {
    const s = this.#o.settings;
    const options: IClientOptions = {
      clientId: `emberwatch-${this.#o.deviceId}`,
      ...(s.username === undefined ? {} : { username: s.username }),
      ...(s.password === undefined ? {} : { password: s.password }),
      will: { topic: this.#topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
      reconnectPeriod: 5000,
      connectTimeout: 10_000,
    };
    const client = connectTo(s.url, options);
    this.#client = client;
    client.on('connect', () => {
      this.#log.info({ url: s.url }, 'connected to the Home Assistant broker');
      client.subscribe(this.#topics.haStatus, { qos: 1 }, (error) => {
        if (error) this.#log.warn({ err: error.message }, 'cannot follow Home Assistant status');
      });
      this.#announce();
    });
    client.on('message', (topic, payload) => {
      // Home Assistant restarted: it forgets entities whose configs it did not keep.
      if (topic === this.#topics.haStatus && payload.toString('utf8') === 'online') this.#announce();
    });
    client.on('error', (error) =>
      this.#log.warn({ url: s.url, err: error.message }, 'Home Assistant broker'),
    );
  }

  /** Notes a reading's channel values; synchronous, no I/O. */
  noteReading(reading: Reading): void {
    noteChannels(reading, this.#latest);
  }

  /** Marks the gateway unavailable (retained) and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    await connecting;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    if (client.connected) {
      await Promise.race([
        client
          .publishAsync(this.#topics.availability, 'offline', { qos: 1, retain: true })
          .catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
    }
    await client.endAsync(true).catch(() => undefined);
  }

  /** Discovery configs, availability and the state, all retained. */
  #announce(): void {
    const client = this.#client;
    if (client === undefined) return;
    const facts = { deviceId: this.#o.deviceId, software: this.#o.software, protocols: this.#o.protocols };
    for (const message of discoveryMessages(facts, this.#topics)) {
      client.publish(message.topic, JSON.stringify(message.config), { qos: 1, retain: true });
    }
    client.publish(this.#topics.availability, 'online', { qos: 1, retain: true });
    this.#publishState();
  }

  /** Publishes the state at once on a change of alarm or trouble, else every stateIntervalS. */
  #check(): void {
    const state = this.#state();
    const due = Date.now() - this.#lastSentAt >= this.#o.settings.stateIntervalS * 1000;
    if (keyOf(state) !== this.#lastKey || due) this.#publishState(state);
  }

  #state(): HomeAssistantState {
    return homeAssistantState(this.#o.condition(), this.#o.protocols, this.#latest);
  }

  #publishState(state: HomeAssistantState = this.#state()): void {
    const client = this.#client;
    if (client?.connected !== true) return;
    this.#lastKey = keyOf(state);
    this.#lastSentAt = Date.now();
    client.publish(this.#topics.state, JSON.stringify(state), { qos: 1, retain: true });
  }
}

/** What must reach Home Assistant at once when it changes. */
function keyOf(state: HomeAssistantState): string {
  return `${state.alarm}/${state.smoke}/${state.heat}/${state.trouble}`;
}

/** The bridge a config asks for, or undefined when it has no `homeAssistant` section. */
export function homeAssistantBridgeFor(
  config: {
    readonly deviceId: string;
    readonly sensors: readonly { readonly protocol: ProtocolName }[];
    readonly homeAssistant?: HomeAssistantSettings | undefined;
  },
  options: Pick<HomeAssistantBridgeOptions, 'software' | 'condition' | 'logger'>,
): HomeAssistantBridge | undefined {
  if (config.homeAssistant === undefined) return undefined;
  return new HomeAssistantBridge({
    ...options,
    settings: config.homeAssistant,
    deviceId: config.deviceId,
    protocols: config.sensors.map((s) => s.protocol),
  });
}
