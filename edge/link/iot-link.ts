import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { deviceTopics } from '../../shared/topics.js';
import type { Publisher, PublishOptions } from '../outbox/publisher.js';
import { resolveLinkSettings, type LinkProtocol, type LinkSettingsInput } from './link-settings.js';
import { birthStatus, stoppedStatus, willStatus } from './link-status.js';
import { Mqtt311Session } from './mqtt311-session.js';
import { Mqtt5Session } from './mqtt5-session.js';
import { reasonOf, type MqttSession, type SessionOptions } from './mqtt-session.js';
import { PendingPublishes } from './pending-publishes.js';

export interface IotLinkEvents {
  /** Connected, subscribed to offer and config, birth status published. */
  online: [event: { readonly sessionPresent: boolean }];
  /** The connection was lost (the link reconnects on its own) or stop() was called. */
  offline: [event: { readonly reason: string }];
  /** A message on the device's `model/offer` or `config` topic. */
  message: [topic: string, payload: Buffer];
}

export interface IotLinkOptions {
  readonly settings: LinkSettingsInput;
  readonly logger?: Logger;
  /** Wall clock for the status timestamps. */
  readonly now?: () => Date;
  /** Builds the protocol client; tests may substitute one. */
  readonly createSession?: (protocol: LinkProtocol, options: SessionOptions) => MqttSession;
  /**
   * Whether something urgent (an alarm or anomaly) waits to be sent. While it
   * does and the link is down, the link tries the broker every
   * `reconnect.alarmRetryMs` instead of waiting out its grown backoff.
   */
  readonly urgent?: () => boolean | Promise<boolean>;
}

function defaultSession(protocol: LinkProtocol, options: SessionOptions): MqttSession {
  return protocol === 'mqtt5' ? new Mqtt5Session(options) : new Mqtt311Session(options);
}

/**
 * The edge's MQTT link over mutual TLS (aws-iot-device-sdk-v2): the same code
 * reaches AWS IoT Core, the embedded broker and mosquitto. Keeps a retained
 * status (birth on connect, last will on a lost connection, `stopped` on a
 * clean stop), subscribes to the device's model offers and configuration on
 * every connect, and publishes for the outbox drainer (`Publisher`).
 */
export class IotLink extends EventEmitter<IotLinkEvents> implements Publisher {
  readonly #settings;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #createSession: (protocol: LinkProtocol, options: SessionOptions) => MqttSession;
  readonly #topics;
  readonly #pending = new PendingPublishes();
  readonly #urgent: (() => boolean | Promise<boolean>) | undefined;
  #session: MqttSession | undefined;
  #online = false;
  /** Looks at `urgent` every alarmRetryMs while the link is down. */
  #retryTimer: NodeJS.Timeout | undefined;
  /** Whether the last look found something urgent (logged when it changes). */
  #urgentNow = false;
  /** Bumped on every up and down, so a slow announcement of an old connection is recognised. */
  #generation = 0;

  constructor(options: IotLinkOptions) {
    super();
    this.#settings = resolveLinkSettings(options.settings);
    this.#log = (options.logger ?? silentLogger()).child({
      component: 'link',
      deviceId: this.#settings.deviceId,
      protocol: this.#settings.protocol,
    });
    this.#now = options.now ?? (() => new Date());
    this.#createSession = options.createSession ?? defaultSession;
    this.#urgent = options.urgent;
    this.#topics = deviceTopics(this.#settings.deviceId);
  }

  get deviceId(): string {
    return this.#settings.deviceId;
  }

  /** Starts connecting and returns at once; 'online' follows when the broker answers (retried forever). */
  start(): Promise<void> {
    if (this.#session !== undefined) return Promise.resolve();
    const session = this.#createSession(this.#settings.protocol, {
      settings: this.#settings,
      will: { topic: this.#topics.status, payload: willStatus(this.#statusContext()) },
      log: this.#log,
    });
    session.on('up', (sessionPresent) => this.#onUp(session, sessionPresent));
    session.on('down', (reason) => {
      if (session === this.#session) this.#onDown(reason);
    });
    session.on('message', (topic, payload) => this.emit('message', topic, payload));
    this.#session = session;
    this.#log.info({ host: this.#settings.host, port: this.#settings.port }, 'link starting');
    session.start();
    this.#armRetry();
    return Promise.resolve();
  }

  /**
   * Publishes the retained `stopped` status (waiting up to `stopTimeoutMs`
   * for its PUBACK), then disconnects cleanly so the broker drops the will.
   */
  async stop(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#online) {
      await this.#publishStopped(session);
    }
    this.#goOffline('stopped');
    await session.stop();
    session.removeAllListeners();
    this.#log.info('link stopped');
  }

  isOnline(): boolean {
    return this.#online;
  }

  onOnline(listener: () => void): () => void {
    const handler = (): void => listener();
    this.on('online', handler);
    return () => this.off('online', handler);
  }

  /**
   * QoS 1 publish resolving on PUBACK. Rejects at once with retryable
   * EMBER_ERR_LINK_OFFLINE while offline, and when the connection drops
   * before the PUBACK (the broker may still have the message: at least once).
   */
  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    const session = this.#session;
    if (session === undefined || !this.#online) {
      return Promise.reject(
        new EmberError('EMBER_ERR_LINK_OFFLINE', `link offline: not publishing to ${topic}`, {
          retryable: true,
        }),
      );
    }
    return this.#pending.track(
      session.publish({ topic, payload, retain: false, messageId: options.messageId }),
    );
  }

  #onUp(session: MqttSession, sessionPresent: boolean): void {
    if (session !== this.#session) return;
    const generation = ++this.#generation;
    void this.#announce(session, generation, sessionPresent);
  }

  /** Subscribes (clean session: nothing survives a reconnect) and publishes the birth status, then goes online. */
  async #announce(session: MqttSession, generation: number, sessionPresent: boolean): Promise<void> {
    const birth = birthStatus(this.#statusContext(), this.#now());
    const results = await Promise.allSettled([
      session.subscribe([this.#topics['model/offer'], this.#topics.config]),
      session.publish({ topic: this.#topics.status, payload: birth, retain: true }),
    ]);
    if (generation !== this.#generation) return; // dropped or stopped meanwhile
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#log.warn({ reason: reasonOf(result.reason) }, 'link setup after connect failed');
      }
    }
    this.#online = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#log.info({ sessionPresent }, 'link online');
    this.emit('online', { sessionPresent });
  }

  #onDown(reason: string): void {
    this.#generation++;
    if (this.#online) this.#log.warn({ reason }, 'link lost, reconnecting');
    this.#goOffline(reason);
    this.#armRetry();
  }

  /**
   * While the link is down, looks every alarmRetryMs at whether an alarm
   * waits; if one does, asks the session to try at once. The backoff keeps a
   * fleet from hammering the broker after an outage; a device with an alarm
   * to send is worth the extra attempts.
   */
  #armRetry(): void {
    if (this.#urgent === undefined || this.#retryTimer !== undefined) return;
    const every = this.#settings.reconnect.alarmRetryMs;
    this.#retryTimer = setTimeout(() => void this.#retryIfUrgent(), every);
  }

  async #retryIfUrgent(): Promise<void> {
    const session = this.#session;
    let urgent = false;
    try {
      urgent = session !== undefined && !this.#online && (await this.#urgent?.()) === true;
    } catch (error) {
      this.#log.warn({ err: error }, 'could not tell whether an alarm waits');
    }
    this.#retryTimer = undefined;
    if (session === undefined || session !== this.#session || this.#online) return;
    if (urgent !== this.#urgentNow) {
      this.#urgentNow = urgent;
      const every = this.#settings.reconnect.alarmRetryMs;
      if (urgent)
        this.#log.info({ retryEveryMs: every }, 'an alarm waits: trying the broker at a fixed interval');
    }
    if (urgent) session.redial();
    this.#armRetry();
  }

  #goOffline(reason: string): void {
    this.#pending.rejectAll(
      new EmberError('EMBER_ERR_LINK_OFFLINE', `link went offline before the PUBACK: ${reason}`, {
        retryable: true,
      }),
    );
    if (!this.#online) return;
    this.#online = false;
    this.emit('offline', { reason });
  }

  async #publishStopped(session: MqttSession): Promise<void> {
    const payload = stoppedStatus(this.#statusContext(), this.#now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log.warn({ timeoutMs: this.#settings.stopTimeoutMs }, 'no PUBACK for the offline status');
        resolve();
      }, this.#settings.stopTimeoutMs);
    });
    const published = session
      .publish({ topic: this.#topics.status, payload, retain: true })
      .catch((error: unknown) => {
        this.#log.warn({ reason: reasonOf(error) }, 'could not publish the offline status');
      });
    await Promise.race([published, timeout]);
    clearTimeout(timer);
  }

  #statusContext(): { deviceId: string; softwareVersion: string; protocol: LinkProtocol } {
    const { deviceId, softwareVersion, protocol } = this.#settings;
    return { deviceId, softwareVersion, protocol };
  }
}
