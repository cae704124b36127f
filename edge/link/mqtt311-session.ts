import { EventEmitter } from 'node:events';
import { io, mqtt } from 'aws-iot-device-sdk-v2';
import { backoffDelayMs } from '../../shared/backoff.js';
import { buildMqtt311Config } from './mqtt311-config.js';
import {
  copyPayload,
  guarded,
  logConnectFailure,
  reasonOf,
  type MqttSession,
  type OutgoingMessage,
  type SessionEvents,
  type SessionOptions,
} from './mqtt-session.js';
import { publishFailed, requireStarted, subscribeFailed, subscriptionsRefused } from './session-errors.js';

const NAME = 'MQTT 3.1.1 connection';

/** Spread of our own first-connect retries (±50 %), so a fleet does not retry in lockstep. */
const FIRST_CONNECT_JITTER = 0.5;

/**
 * The SDK's MQTT 3.1.1 connection. aws-c-mqtt reconnects by itself only once
 * a connection has been established (exponential, whole seconds); until the
 * first CONNACK, and after a redial, this class retries with its own
 * jittered backoff.
 *
 * The 3.1.1 client has no option to fail publishes while offline (it queues
 * them until the next connect attempt cancels them): IotLink rejects those
 * itself, so nothing waits on this queue.
 */
export class Mqtt311Session extends EventEmitter<SessionEvents> implements MqttSession {
  readonly #options: SessionOptions;
  #config: mqtt.MqttConnectionConfig | undefined;
  #client: mqtt.MqttClient | undefined;
  #connection: mqtt.MqttClientConnection | undefined;
  /** Our own connect loop (the first connect, or after a redial); aws-c-mqtt reconnects only after a success. */
  #connecting: Promise<void> | undefined;
  /** The current connection succeeded at least once (there is something to disconnect). */
  #connected = false;
  /** Connected right now. */
  #up = false;
  #stopping = false;
  #cancelWait: (() => void) | undefined;
  /** Set by redial(): the loop's next wait starts again from the minimum delay. */
  #restartBackoff = false;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
  }

  start(): void {
    if (this.#connection !== undefined) return;
    this.#config = buildMqtt311Config(this.#options.settings, this.#options.will);
    this.#client = new mqtt.MqttClient(new io.ClientBootstrap());
    this.#stopping = false;
    const connection = this.#newConnection();
    this.#connecting = this.#connectUntilUp(connection);
  }

  /**
   * Within our own loop: cuts the wait short and restarts its backoff. While
   * aws-c-mqtt reconnects by itself (after a lost connection) its delay
   * cannot be shortened, and a disconnected connection cannot connect again:
   * that connection is told to disconnect (which ends its loop; aws-c-mqtt
   * completes it when its pending attempt would have run) and a new one
   * takes over with our loop, from the minimum delay.
   */
  redial(): void {
    const connection = this.#connection;
    if (connection === undefined || this.#up || this.#stopping) return;
    this.#restartBackoff = true;
    if (this.#connecting !== undefined) {
      this.#cancelWait?.();
      return;
    }
    this.#retire(connection);
    this.#connecting = this.#connectUntilUp(this.#newConnection());
  }

  async publish(message: OutgoingMessage): Promise<void> {
    const connection = requireStarted(this.#connection, NAME);
    try {
      // For QoS 1 the SDK resolves on PUBACK. The message id travels inside the JSON payload.
      await connection.publish(message.topic, message.payload, mqtt.QoS.AtLeastOnce, message.retain);
    } catch (error) {
      throw publishFailed(message.topic, error);
    }
  }

  async subscribe(filters: readonly string[]): Promise<void> {
    const connection = requireStarted(this.#connection, NAME);
    const onMessage = guarded(
      this.#options.log,
      'handling a received message',
      (topic: string, payload: ArrayBuffer) => {
        this.emit('message', topic, copyPayload(payload));
      },
    );
    let results: mqtt.MqttSubscribeRequest[];
    try {
      // The connection-wide 'message' event does not fire for these; a callback per subscription does.
      results = await Promise.all(
        filters.map((filter) => connection.subscribe(filter, mqtt.QoS.AtLeastOnce, onMessage)),
      );
    } catch (error) {
      throw subscribeFailed(error);
    }
    // A refused subscription comes back with QoS 0x80, the MQTT 3.1.1 SUBACK failure code.
    const refused = results.filter((r) => r.qos > mqtt.QoS.ExactlyOnce || (r.error_code ?? 0) !== 0);
    if (refused.length > 0) throw subscriptionsRefused(refused.map((r) => r.topic));
  }

  async stop(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#connection = undefined;
    this.#stopping = true;
    this.#cancelWait?.();
    await this.#connecting;
    // Never connected: there is nothing to disconnect, and aws-c-mqtt is not reconnecting either.
    if (!this.#connected) return;
    this.#connected = false;
    this.#up = false;
    await connection.disconnect().catch((error: unknown) => {
      this.#options.log.debug({ reason: reasonOf(error) }, 'disconnect failed');
    });
  }

  /** A connection of the session's client and config, its events wired to the session's. */
  #newConnection(): mqtt.MqttClientConnection {
    const { log } = this.#options;
    const client = requireStarted(this.#client, NAME);
    const connection = client.new_connection(requireStarted(this.#config, NAME));
    connection.on('connection_success', (result) => {
      if (connection !== this.#connection) return;
      this.#connected = true;
      this.#up = true;
      this.emit('up', result.session_present);
    });
    connection.on('interrupt', (error) => {
      if (connection !== this.#connection) return;
      this.#up = false;
      this.emit('down', error.message);
    });
    connection.on('connection_failure', (result) => {
      log.debug({ reason: reasonOf(result.error) }, 'connect attempt failed');
    });
    // Failed operations also reject their own promise; this listener only keeps them from throwing.
    connection.on('error', (error) => log.debug({ reason: error.message }, 'MQTT connection error'));
    this.#connection = connection;
    this.#connected = false;
    this.#up = false;
    return connection;
  }

  /** Ends a connection the session no longer uses; its disconnect completes in its own time. */
  #retire(connection: mqtt.MqttClientConnection): void {
    connection.disconnect().catch((error: unknown) => {
      this.#options.log.debug({ reason: reasonOf(error) }, 'disconnect of a replaced connection failed');
    });
  }

  async #connectUntilUp(connection: mqtt.MqttClientConnection): Promise<void> {
    const { settings, log } = this.#options;
    const policy = {
      initialMs: settings.reconnect.minMs,
      maxMs: settings.reconnect.maxMs,
      jitter: FIRST_CONNECT_JITTER,
    };
    let failures = 0;
    try {
      for (let attempt = 0; !this.#stopping; attempt++) {
        this.#restartBackoff = false;
        try {
          await connection.connect();
          return;
        } catch (error) {
          if (this.#isStopping()) return;
          const delayMs = backoffDelayMs(attempt, policy);
          failures++;
          logConnectFailure(log, { attempt: failures, retryInMs: delayMs, reason: reasonOf(error) });
          await this.#wait(delayMs);
          if (this.#backoffRestarted()) attempt = -1;
        }
      }
    } finally {
      this.#connecting = undefined;
    }
  }

  /** A method rather than the field, so narrowing does not assume it survives an await. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  /** Whether redial() asked, during the last wait, for the backoff to start again. */
  #backoffRestarted(): boolean {
    return this.#restartBackoff;
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
