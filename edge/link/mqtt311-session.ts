import { EventEmitter } from 'node:events';
import { io, mqtt } from 'aws-iot-device-sdk-v2';
import { backoffDelayMs } from '../sensors/backoff.js';
import { buildMqtt311Config } from './mqtt311-config.js';
import {
  copyPayload,
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
 * first CONNACK this class retries with its own jittered backoff.
 *
 * The 3.1.1 client has no option to fail publishes while offline (it queues
 * them until the next connect attempt cancels them): IotLink rejects those
 * itself, so nothing waits on this queue.
 */
export class Mqtt311Session extends EventEmitter<SessionEvents> implements MqttSession {
  readonly #options: SessionOptions;
  #connection: mqtt.MqttClientConnection | undefined;
  #firstConnect: Promise<void> | undefined;
  #connected = false;
  #stopping = false;
  #cancelWait: (() => void) | undefined;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
  }

  start(): void {
    if (this.#connection !== undefined) return;
    const { log } = this.#options;
    const config = buildMqtt311Config(this.#options.settings, this.#options.will);
    const connection = new mqtt.MqttClient(new io.ClientBootstrap()).new_connection(config);
    connection.on('connection_success', (result) => {
      this.#connected = true;
      this.emit('up', result.session_present);
    });
    connection.on('interrupt', (error) => this.emit('down', error.message));
    connection.on('connection_failure', (result) => {
      log.debug({ reason: reasonOf(result.error) }, 'connect attempt failed');
    });
    // Failed operations also reject their own promise; this listener only keeps them from throwing.
    connection.on('error', (error) => log.debug({ reason: error.message }, 'MQTT connection error'));
    this.#connection = connection;
    this.#stopping = false;
    this.#firstConnect = this.#connectUntilUp(connection);
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
    const onMessage = (topic: string, payload: ArrayBuffer): void => {
      this.emit('message', topic, copyPayload(payload));
    };
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
    await this.#firstConnect;
    // Never connected: there is nothing to disconnect, and aws-c-mqtt is not reconnecting either.
    if (!this.#connected) return;
    this.#connected = false;
    await connection.disconnect().catch((error: unknown) => {
      this.#options.log.debug({ reason: reasonOf(error) }, 'disconnect failed');
    });
  }

  async #connectUntilUp(connection: mqtt.MqttClientConnection): Promise<void> {
    const { settings, log } = this.#options;
    const policy = {
      initialMs: settings.reconnect.minMs,
      maxMs: settings.reconnect.maxMs,
      jitter: FIRST_CONNECT_JITTER,
    };
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        await connection.connect();
        return;
      } catch (error) {
        if (this.#isStopping()) return;
        const delayMs = backoffDelayMs(attempt, policy);
        logConnectFailure(log, { attempt: attempt + 1, retryInMs: delayMs, reason: reasonOf(error) });
        await this.#wait(delayMs);
      }
    }
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
