import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { parseTopic } from '../../shared/topics.js';
import {
  connectSpeaking,
  ingestFilters,
  isRefusedForGood,
  publishAcked,
  readTlsFiles,
  reasonOf,
  type SpokenProtocol,
  type TlsFiles,
} from './ingest-connection.js';
import {
  DEFAULT_RECONNECT,
  type IngestOptions,
  type IngestStats,
  type PublishOptions,
} from './ingest-types.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './ingest-message.js';
import { Acknowledgements } from './acknowledgements.js';
import { MessageIntake } from './message-intake.js';
import { backoffDelayMs } from '../../shared/backoff.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve = (): void => undefined;
  let reject = (_error: unknown): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Messages in flight from the broker (MQTT 5): enough to keep the handlers busy, few enough to hold in memory. */
const DEFAULT_RECEIVE_MAXIMUM = 100;

/**
 * The cloud's MQTT reader. Connects to the broker as a service (mutual TLS),
 * subscribes at QoS 1 to every device's anomaly, telemetry, status and
 * model/report topics, validates each message and hands it to a typed
 * handler. Reconnects with backoff until stop(). Hostile or broken messages
 * are counted and logged, never thrown.
 *
 * A message is acknowledged (PUBACK) once its handler has returned, that
 * is once its effects are committed; a refused one at once. Handlers run
 * one at a time in arrival order on an internal queue while MQTT.js reads
 * on, so a handler may itself await publish() (whose PUBACK arrives on the
 * same connection). When a handler throws, its message is not acknowledged
 * and the connection is closed and opened again (after a backoff), so
 * that the broker sends it again: with a persistent session
 * (`sessionExpiryS` and a stable `clientId`) nothing is lost, neither then
 * nor while the cloud is down.
 */
export class CloudIngest {
  readonly #log: Logger;
  readonly #intake: MessageIntake;
  readonly #clientId: string;
  readonly #persistence: { readonly expiryS: number } | undefined;
  #client: MqttClient | undefined;
  #spoken: SpokenProtocol | undefined;
  #connects = 0;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #cancelWait: (() => void) | undefined;
  #abortAttempt: (() => void) | undefined;
  #warnedShared = false;
  #lastFailure = 'none finished';
  readonly #acks: Acknowledgements;

  readonly #options: IngestOptions;
  constructor(options: IngestOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'ingest' });
    this.#intake = new MessageIntake(options, this.#log);
    this.#clientId = options.clientId ?? `emberwatch-cloud-${randomUUID().slice(0, 8)}`;
    // A session under a random id would outlive the process with no one to take it up.
    const expiryS = options.clientId === undefined ? 0 : (options.sessionExpiryS ?? 0);
    this.#persistence = expiryS > 0 ? { expiryS } : undefined;
    this.#acks = new Acknowledgements({
      intake: this.#intake,
      persistent: this.#persistence !== undefined,
      backoff: options.reconnect ?? DEFAULT_RECONNECT,
      log: this.#log,
      stopping: () => this.#stopping,
      protocol: () => this.#spoken,
      where: () => this.#where(),
    });
  }

  /** The protocol of the current or last connection; undefined before the first. */
  get protocol(): SpokenProtocol | undefined {
    return this.#spoken;
  }

  /**
   * Connects and subscribes; resolves once the first subscription is in
   * place. Transient failures are retried with backoff meanwhile. Rejects
   * with EMBER_ERR_CLOUD_BROKER when the broker refuses for good (certificate,
   * authorisation, subscription), nothing connects within startTimeoutMs or
   * stop() comes first; EMBER_ERR_FILE_UNREADABLE for a missing CA,
   * certificate or key file.
   */
  async start(): Promise<void> {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    const first = deferred();
    this.#loop = this.#run(first);
    const timeoutMs = this.#options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      first.reject(
        new EmberError(
          'EMBER_ERR_CLOUD_BROKER',
          `ingest: no connection to ${this.#where()} within ${timeoutMs} ms (last attempt: ${this.#lastFailure})`,
          { retryable: true },
        ),
      );
    }, timeoutMs);
    try {
      await first.promise;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes no more messages, waits for queued handlers to finish (their
   * PUBACKs go out on the open connection), then disconnects and stops
   * reconnecting. Messages arriving meanwhile are left unacknowledged: a
   * persistent session keeps them for the next start.
   */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (loop === undefined) return;
    this.#stopping = true;
    this.#cancelWait?.();
    this.#abortAttempt?.();
    await this.#intake.drain();
    const client = this.#client;
    if (client !== undefined) await client.endAsync(false).catch(() => client.end(true));
    await loop;
    this.#loop = undefined;
    await this.#intake.drain();
  }

  /** Resolves when every message received so far has been through its handler. */
  async drain(): Promise<void> {
    await this.#intake.drain();
  }

  /**
   * Publishes at QoS 1 to a device topic (model/offer, config) and resolves on
   * the broker's PUBACK. Rejects with EMBER_ERR_CLOUD_BROKER (retryable) when
   * not connected or refused, EMBER_ERR_PUBLISH_TIMEOUT without a PUBACK.
   */
  async publish(topic: string, payload: Buffer, options: PublishOptions = {}): Promise<void> {
    // The broker disconnects a client that publishes where it may not: check here, not there.
    if (parseTopic(topic) === undefined) {
      throw new EmberError(
        'EMBER_ERR_CLOUD_BROKER',
        `ingest: will not publish to ${topic}: not a device topic`,
      );
    }
    const client = this.#client;
    if (client === undefined || !client.connected) {
      throw new EmberError('EMBER_ERR_CLOUD_BROKER', `ingest: cannot publish to ${topic}: not connected`, {
        retryable: true,
      });
    }
    await publishAcked(client, topic, payload, options);
  }

  /** Counters since construction. */
  stats(): IngestStats {
    return {
      connected: this.#client?.connected ?? false,
      protocol: this.#spoken ?? null,
      connects: this.#connects,
      received: { ...this.#intake.received },
      invalid: { ...this.#intake.invalid },
      handlerErrors: { ...this.#intake.handlerErrors },
      givenUp: { ...this.#intake.givenUp },
      redeliveries: this.#acks.redeliveries,
      telemetry: { ...this.#intake.telemetry },
      pending: this.#intake.pending,
    };
  }

  #where(): string {
    return `${this.#options.broker.host}:${this.#options.broker.port}`;
  }

  async #run(first: ReturnType<typeof deferred>): Promise<void> {
    let tls: TlsFiles;
    try {
      tls = await readTlsFiles(this.#options.broker);
    } catch (error) {
      first.reject(error);
      return;
    }
    const backoff = this.#options.reconnect ?? DEFAULT_RECONNECT;
    let started = false;
    for (let attempt = 0; !this.#stopping;) {
      try {
        const client = await this.#connect(tls);
        this.#client = client;
        this.#connects++;
        attempt = 0;
        started = true;
        first.resolve();
        await new Promise<void>((resolve) => {
          if (client.connected) client.once('close', resolve);
          else resolve();
        });
        this.#client = undefined;
        // Fails publishes still waiting for a PUBACK on the lost connection instead of leaving them hanging.
        client.end(true);
        if (this.#isStopping()) break;
        const delayMs = this.#acks.takeRedeliveryDelay();
        if (delayMs > 0) await this.#wait(delayMs);
        else this.#log.warn({ broker: this.#where() }, 'connection to the broker lost, reconnecting');
      } catch (error) {
        if (this.#isStopping()) break;
        this.#lastFailure = reasonOf(error);
        const forGood = isRefusedForGood(error);
        if (forGood && !started) {
          first.reject(
            new EmberError(
              'EMBER_ERR_CLOUD_BROKER',
              `ingest: ${this.#where()} refused us: ${this.#lastFailure}`,
              {
                cause: error,
              },
            ),
          );
          return;
        }
        const delayMs = backoffDelayMs(attempt, {
          initialMs: backoff.minMs,
          maxMs: backoff.maxMs,
          jitter: 0.2,
        });
        const fields = {
          broker: this.#where(),
          attempt: attempt + 1,
          retryInMs: delayMs,
          reason: this.#lastFailure,
        };
        if (attempt === 0 || forGood) this.#log.warn(fields, 'connect attempt failed, retrying with backoff');
        else this.#log.debug(fields, 'connect attempt failed');
        attempt++;
        await this.#wait(delayMs);
      }
    }
    if (!started) first.reject(new EmberError('EMBER_ERR_CLOUD_BROKER', 'ingest: stopped before connecting'));
  }

  /** One connect + subscribe cycle; the client is ended again on any failure. */
  async #connect(tls: TlsFiles): Promise<MqttClient> {
    let attempt: MqttClient | undefined;
    this.#abortAttempt = () => attempt?.end(true);
    try {
      const { client, protocol } = await connectSpeaking(this.#options.broker.protocol, {
        settings: this.#options.broker,
        tls,
        clientId: this.#clientId,
        connectTimeoutMs: this.#options.connectTimeoutMs ?? 10_000,
        // The payload limit plus room for the fixed header, topic and properties.
        maxPacketBytes: (this.#options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES) + 1024,
        onPacketRefused: (error) => this.#intake.refuseOversized(error.bytes, error.message),
        onAttempt: (created) => {
          attempt = created;
          this.#acks.attach(created);
        },
        ...(this.#persistence === undefined ? {} : { session: this.#persistence }),
        receiveMaximum: this.#options.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM,
      });
      this.#spoken = protocol;
      const closed = new Promise<never>((_resolve, reject) => {
        client.once('close', () => reject(new Error('connection closed while subscribing')));
      });
      closed.catch(() => undefined);
      await Promise.race([this.#subscribe(client, protocol), closed]);
      if (this.#isStopping()) throw new Error('stopping');
      // From here stop() ends the connection gracefully, after the queued handlers' PUBACKs.
      this.#abortAttempt = undefined;
      return client;
    } catch (error) {
      attempt?.end(true);
      throw error;
    } finally {
      this.#abortAttempt = undefined;
    }
  }

  async #subscribe(client: MqttClient, protocol: SpokenProtocol): Promise<void> {
    const group = this.#options.broker.sharedGroup;
    if (group !== undefined && protocol !== 'mqtt5' && !this.#warnedShared) {
      this.#warnedShared = true;
      this.#log.warn({ sharedGroup: group }, 'shared subscriptions need MQTT 5; subscribing plainly');
    }
    const filters = ingestFilters(protocol, group);
    try {
      await client.subscribeAsync(filters, { qos: 1 });
    } catch (error) {
      // A refused subscription is the broker's policy, not a passing fault.
      throw Object.assign(new Error(`subscription refused: ${reasonOf(error)}`), { code: 0x87 });
    }
    this.#log.info({ broker: this.#where(), protocol, filters }, 'ingest subscribed');
  }

  /** A method rather than the field, so narrowing does not assume it survives an await. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#cancelWait = done;
    });
  }
}
