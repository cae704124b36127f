import type { Aedes, Client, PublishPacket } from 'aedes';
import type { Logger } from '../../shared/logging.js';
import type { FleetProvisioning } from './fleet-provisioning.js';

/**
 * Answers fleet provisioning requests on the broker. IoT Core sends a reply
 * only to the connection that asked, although every device of a batch
 * subscribes to the same `…/accepted` topic; so does this: each reply's
 * payload is remembered with its one recipient, and `mayForward` holds it
 * back from everyone else.
 */
export class ProvisioningReplies {
  /** Reply payload → the client id it is for (the packet aedes forwards keeps the payload buffer). */
  readonly #recipients = new WeakMap<Buffer, string>();

  constructor(
    private readonly provisioning: FleetProvisioning,
    private readonly log: Logger,
  ) {}

  /** Handles a request a claim client published (already authorised), publishing the reply. */
  answer(aedes: Aedes, client: Client, packet: PublishPacket): void {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    void this.provisioning
      .handle(packet.topic, payload, client.id)
      .then((reply) => {
        if (reply === undefined) return;
        const body = Buffer.from(JSON.stringify(reply.body));
        this.#recipients.set(body, client.id);
        aedes.publish(
          { cmd: 'publish', topic: reply.topic, payload: body, qos: 1, retain: false, dup: false },
          (error) => {
            if (error)
              this.log.warn({ clientId: client.id, reason: error.message }, 'provisioning reply not sent');
          },
        );
      })
      .catch((error: unknown) => this.log.error({ err: error, clientId: client.id }, 'provisioning failed'));
  }

  /** Whether a packet may go to `client`: replies only to their requester, everything else as usual. */
  mayForward(client: Client, packet: PublishPacket): boolean {
    if (!packet.topic.startsWith('$aws/')) return true;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : undefined;
    return payload !== undefined && this.#recipients.get(payload) === client.id;
  }
}
