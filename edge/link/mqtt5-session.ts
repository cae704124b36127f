import { EventEmitter } from 'node:events';
import { mqtt5 } from 'aws-iot-device-sdk-v2';
import { EmberError } from '../../shared/errors.js';
import { buildMqtt5Config } from './mqtt5-config.js';
import {
  CONTENT_TYPE,
  MESSAGE_ID_PROPERTY,
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

const NAME = 'MQTT 5 client';

/** Negative PUBACKs after which the same publish may succeed later. */
const TRANSIENT_PUBACK: readonly number[] = [
  mqtt5.PubackReasonCode.UnspecifiedError,
  mqtt5.PubackReasonCode.ImplementationSpecificError,
  mqtt5.PubackReasonCode.QuotaExceeded,
];

/** How long stop() waits for the client's 'stopped' event before closing it anyway. */
const STOPPED_TIMEOUT_MS = 5000;

/**
 * The SDK's MQTT 5 client. It reconnects by itself (exponential backoff with
 * full jitter) from the first attempt on, and fails queued operations on
 * disconnect instead of holding them.
 */
export class Mqtt5Session extends EventEmitter<SessionEvents> implements MqttSession {
  readonly #options: SessionOptions;
  #client: mqtt5.Mqtt5Client | undefined;
  #failedAttempts = 0;
  /** Between 'attemptingConnect' and its success or failure: a redial waits for the attempt to end. */
  #attempting = false;
  #connected = false;
  /** A redial in progress: the client is being stopped to be started again. */
  #redialling = false;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
  }

  start(): void {
    if (this.#client !== undefined) return;
    const { log } = this.#options;
    const client = new mqtt5.Mqtt5Client(buildMqtt5Config(this.#options.settings, this.#options.will));
    client.on('attemptingConnect', () => (this.#attempting = true));
    client.on('connectionSuccess', (event) => {
      this.#attempting = false;
      this.#connected = true;
      this.#failedAttempts = 0;
      this.emit('up', event.settings.rejoinedSession);
    });
    client.on('connectionFailure', (event) => {
      this.#attempting = false;
      this.#failedAttempts++;
      logConnectFailure(log, { attempt: this.#failedAttempts, reason: reasonOf(event.error) });
    });
    client.on('disconnection', (event) => {
      this.#connected = false;
      this.emit('down', reasonOf(event.error));
    });
    client.on(
      'messageReceived',
      guarded(log, 'handling a received message', (event: mqtt5.MessageReceivedEvent) => {
        this.emit('message', event.message.topicName, copyPayload(event.message.payload));
      }),
    );
    client.on('error', (error) => log.warn({ reason: reasonOf(error) }, 'MQTT client error'));
    this.#client = client;
    client.start();
  }

  async publish(message: OutgoingMessage): Promise<void> {
    const client = requireStarted(this.#client, NAME);
    let result: mqtt5.PublishCompletionResult;
    try {
      result = await client.publish({
        topicName: message.topic,
        qos: mqtt5.QoS.AtLeastOnce,
        payload: message.payload,
        retain: message.retain,
        contentType: CONTENT_TYPE,
        // The native binding fails ("storage init failure") on a property present but undefined.
        ...(message.messageId === undefined
          ? {}
          : { userProperties: [{ name: MESSAGE_ID_PROPERTY, value: message.messageId }] }),
      });
    } catch (error) {
      throw publishFailed(message.topic, error);
    }
    if (result === undefined || mqtt5.isSuccessfulPubackReasonCode(result.reasonCode)) return;
    const detail = result.reasonString === undefined ? '' : ` (${result.reasonString})`;
    throw new EmberError(
      'EMBER_ERR_LINK_PUBLISH',
      `the broker refused a publish to ${message.topic}: PUBACK reason code ${result.reasonCode}${detail}`,
      { retryable: TRANSIENT_PUBACK.includes(result.reasonCode) },
    );
  }

  async subscribe(filters: readonly string[]): Promise<void> {
    const client = requireStarted(this.#client, NAME);
    let suback: mqtt5.SubackPacket;
    try {
      suback = await client.subscribe({
        subscriptions: filters.map((topicFilter) => ({ topicFilter, qos: mqtt5.QoS.AtLeastOnce })),
      });
    } catch (error) {
      throw subscribeFailed(error);
    }
    const refused = filters.filter(
      (_, index) =>
        !mqtt5.isSuccessfulSubackReasonCode(
          suback.reasonCodes[index] ?? mqtt5.SubackReasonCode.UnspecifiedError,
        ),
    );
    if (refused.length > 0) throw subscriptionsRefused(refused);
  }

  /**
   * The SDK keeps its backoff to itself; stopping the client and starting it
   * again is what makes it try at once with the delay back at its minimum.
   * Only while it waits between attempts, never during one.
   */
  redial(): void {
    const client = this.#client;
    if (client === undefined || this.#connected || this.#attempting || this.#redialling) return;
    this.#redialling = true;
    client.once('stopped', () => {
      this.#redialling = false;
      if (this.#client === client) client.start();
    });
    client.stop();
  }

  async stop(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    this.#client = undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<void>((resolve) => {
      client.once('stopped', () => resolve());
      timer = setTimeout(resolve, STOPPED_TIMEOUT_MS);
    });
    // Normal disconnection: the broker discards the will.
    client.stop({ reasonCode: mqtt5.DisconnectReasonCode.NormalDisconnection });
    await stopped;
    clearTimeout(timer);
    client.close();
  }
}
