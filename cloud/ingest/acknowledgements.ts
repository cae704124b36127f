import type { MqttClient } from 'mqtt';
import { backoffDelayMs } from '../../shared/backoff.js';
import type { Logger } from '../../shared/logging.js';
import { sendPuback, type SpokenProtocol } from './ingest-connection.js';
import type { ReconnectBackoff } from './ingest-types.js';
import type { MessageIntake } from './message-intake.js';
import type { Settlement } from './redelivery.js';

/** Tells MQTT.js to read on without sending the PUBACK: it goes once the handler is through. */
const ACK_LATER = new Error('acknowledged once its handler has committed');

/** What the acknowledgements need to know of the ingest they serve. */
export interface AcknowledgementContext {
  readonly intake: MessageIntake;
  /** A persistent session was asked for: the broker sends unacknowledged messages again after a reconnect. */
  readonly persistent: boolean;
  readonly backoff: ReconnectBackoff;
  readonly log: Logger;
  /** True once the ingest is stopping: messages are then left unacknowledged, for the session to keep. */
  stopping(): boolean;
  protocol(): SpokenProtocol | undefined;
  where(): string;
}

/**
 * The PUBACKs of one ingest: each QoS 1 message is acknowledged once its
 * handler is through, on the connection it came on, or held back after a
 * handler failed, the connection then closed (gracefully, so that PUBACKs
 * already written reach the broker) for the broker to send it again.
 */
export class Acknowledgements {
  /** The connection being made or in use: only its messages may be acknowledged. */
  #current: MqttClient | undefined;
  /** Handler failures in a row, for the backoff before reconnecting to have them sent again. */
  #failureStreak = 0;
  #redeliverAfterMs = 0;
  #redeliveries = 0;

  readonly #context: AcknowledgementContext;
  constructor(context: AcknowledgementContext) {
    this.#context = context;
  }

  /** Connections closed so that the broker sends failed messages again. */
  get redeliveries(): number {
    return this.#redeliveries;
  }

  /** How long to wait before reconnecting for a redelivery, once; 0 when the connection was not closed for one. */
  takeRedeliveryDelay(): number {
    const delayMs = this.#redeliverAfterMs;
    this.#redeliverAfterMs = 0;
    return delayMs;
  }

  /**
   * Makes `client` the connection whose messages are acknowledged and reads
   * its PUBLISH packets; called as the client is created, before a resumed
   * session's queued messages can arrive.
   */
  attach(client: MqttClient): void {
    this.#current = client;
    const { intake } = this.#context;
    client.handleMessage = (packet, done) => {
      const { messageId } = packet;
      if (packet.qos === 0 || messageId === undefined) {
        intake.accept(packet.topic, packet.payload);
        done();
        return;
      }
      if (!this.#context.stopping())
        intake.accept(packet.topic, packet.payload, this.#settlement(client, messageId));
      done(ACK_LATER);
    };
  }

  #settlement(client: MqttClient, messageId: number): Settlement {
    const ack = (): void => {
      this.#failureStreak = 0;
      // A packet id means something on its own connection only; after a reconnect the broker sends the message again.
      if (client === this.#current && client.connected) sendPuback(client, messageId);
    };
    return {
      ack,
      retry: () => {
        // A clean session would send nothing again after a reconnect, and lose what is on its way.
        if (!this.#context.persistent || this.#context.protocol() !== 'mqtt5') return ack();
        if (client !== this.#current || !client.connected) return;
        const { backoff } = this.#context;
        this.#redeliverAfterMs = backoffDelayMs(this.#failureStreak, {
          initialMs: backoff.minMs,
          maxMs: backoff.maxMs,
          jitter: 0.2,
        });
        this.#failureStreak++;
        this.#redeliveries++;
        this.#context.log.warn(
          { broker: this.#context.where(), retryInMs: this.#redeliverAfterMs },
          'a handler failed: reconnecting so that the broker sends its message again',
        );
        // Gracefully: the PUBACKs already written must reach the broker, or their messages come again too.
        client.end(false);
      },
    };
  }
}
