import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { DeviceConfigMessage } from '../../shared/schemas/messages.js';
import { parseTopic, topicFor } from '../../shared/topics.js';
import type { DeviceConfigState } from '../contracts/cloud-values.js';
import { DeviceConfigStore, type StoredConfig } from './device-config-store.js';

/** Sends one message at QoS 1 (the cloud's MQTT client). */
export interface RetainingPublisher {
  publish(topic: string, payload: Buffer, options: { readonly retain: boolean }): Promise<void>;
}

export interface ConfigDeliveryOptions {
  /** The delivery's own SQLite file. */
  readonly databaseFile?: string;
  /** Its tables in this PostgreSQL database instead, which several workers may share. */
  readonly postgresUrl?: string;
  readonly publisher: RetainingPublisher;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** A pending config is sent again at most this often when a status shows the device without it. */
  readonly resendAfterMs?: number;
}

const DEFAULT_RESEND_AFTER_MS = 60_000;

function stateOf(config: StoredConfig): DeviceConfigState {
  return {
    revision: config.revision,
    state: config.appliedAt === null ? 'pending' : 'applied',
    sentAt: config.sentAt,
    appliedAt: config.appliedAt,
  };
}

/**
 * Gets config messages (new alarm thresholds from the learning agent) to
 * devices, online or not, and knows whether each arrived. Every message
 * gets the device's next revision, is kept, and is published retained on
 * the device's `config` topic, so a device that was offline receives it
 * when it next subscribes. It stays pending until a health status of the
 * device reports running that revision (or a later one); meanwhile it is
 * sent again when the device comes online (the broker may have lost the
 * retained copy) and when a status shows the device still without it.
 *
 * It is the learning agent's config publisher: `publish(topic, payload)`
 * takes the message for delivery and resolves once it is kept, whether or
 * not the broker could be reached just then.
 */
export class ConfigDelivery {
  readonly #options: ConfigDeliveryOptions;
  readonly #events = new EventEmitter();
  readonly #now: () => number;
  readonly #lastSent = new Map<string, number>();
  /** The revision each device last reported, so a status that changes nothing writes nothing. */
  readonly #reported = new Map<string, number>();
  #log: Logger = silentLogger();
  #store: DeviceConfigStore | undefined;

  constructor(options: ConfigDeliveryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): Promise<void> {
    if (this.#store !== undefined) return Promise.resolve();
    this.#log = (this.#options.logger ?? silentLogger()).child({ component: 'config-delivery' });
    const { postgresUrl, databaseFile } = this.#options;
    this.#store =
      postgresUrl === undefined
        ? DeviceConfigStore.open(databaseFile ?? '')
        : DeviceConfigStore.openPostgres(postgresUrl);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#store?.close();
    this.#store = undefined;
    return Promise.resolve();
  }

  /** Hears every change of a device's config state. */
  on(event: 'config', listener: (deviceId: string, state: DeviceConfigState) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /**
   * The config last sent to a device and whether it arrived; undefined when
   * none was ever sent, or while the delivery is not started (device views
   * are drawn before and after it runs).
   */
  state(deviceId: string): DeviceConfigState | undefined {
    const config = this.#store?.get(deviceId);
    return config === undefined ? undefined : stateOf(config);
  }

  /**
   * Takes a config message for a device (`emberwatch/v1/{id}/config`):
   * numbers it, keeps it as pending and publishes it retained. Throws
   * EMBER_ERR_BAD_DEVICE_CONFIG for another topic or a message that fails
   * its schema; a broker that cannot be reached is logged, not thrown.
   */
  async publish(topic: string, payload: Buffer): Promise<void> {
    const store = this.#require();
    const parsedTopic = parseTopic(topic);
    if (parsedTopic?.kind !== 'config') {
      throw new EmberError('EMBER_ERR_BAD_DEVICE_CONFIG', `${topic} is not a device's config topic`);
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new EmberError('EMBER_ERR_BAD_DEVICE_CONFIG', `the config for ${topic} is not JSON`);
    }
    const parsed = DeviceConfigMessage.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EmberError(
        'EMBER_ERR_BAD_DEVICE_CONFIG',
        `config.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const { deviceId } = parsedTopic;
    const message = parsed.data;
    const config = store.sendNext(
      deviceId,
      (revision) => JSON.stringify({ ...message, revision } satisfies DeviceConfigMessage),
      this.#now(),
    );
    this.#log.info(
      { deviceId, revision: config.revision },
      'device config pending until the device confirms it',
    );
    this.#events.emit('config', deviceId, stateOf(config));
    await this.#send(config);
  }

  /** A device's health status said which revision it runs. */
  async deviceReported(deviceId: string, revision: number | undefined): Promise<void> {
    if (revision === undefined) return;
    const store = this.#require();
    const before = store.get(deviceId);
    // Every device reports every status interval: only a change, or a config still pending, costs a write.
    if (this.#reported.get(deviceId) === revision && before?.appliedAt !== null) return;
    this.#reported.set(deviceId, revision);
    store.reportedRunning(deviceId, revision, this.#now());
    const after = store.get(deviceId);
    if (before === undefined || after === undefined) return;
    if (before.appliedAt === null && after.appliedAt !== null) {
      this.#log.info({ deviceId, revision: after.revision }, 'device confirmed its config');
      this.#events.emit('config', deviceId, stateOf(after));
      return;
    }
    const since = this.#lastSent.get(deviceId) ?? after.sentAt;
    const resendAfter = this.#options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
    if (after.appliedAt === null && this.#now() - since >= resendAfter) await this.#send(after);
  }

  /** A device came online (its birth status): a config it has not confirmed goes out again. */
  async deviceOnline(deviceId: string): Promise<void> {
    const config = this.#require().get(deviceId);
    if (config?.appliedAt === null) await this.#send(config);
  }

  async #send(config: StoredConfig): Promise<void> {
    this.#lastSent.set(config.deviceId, this.#now());
    try {
      await this.#options.publisher.publish(
        topicFor(config.deviceId, 'config'),
        Buffer.from(config.payload),
        {
          retain: true,
        },
      );
    } catch (error) {
      this.#log.warn(
        { err: error, deviceId: config.deviceId, revision: config.revision },
        'device config not published now; sent again when the device comes online',
      );
    }
  }

  #require(): DeviceConfigStore {
    if (this.#store === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'config delivery used before start() or after stop()');
    }
    return this.#store;
  }
}
