import { EmberError } from '../../shared/errors.js';
import type { TelemetryMessage } from '../../shared/schemas/messages.js';
import { MAX_PAYLOAD_BYTES, type NewMessage } from './message.js';

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * Packs telemetry records into as few payloads as fit under `maxBytes`, each
 * a JSON array of whole records in input order (greedy: a payload is closed
 * when the next record would not fit). A record is never split; one that
 * alone exceeds the cap throws EMBER_ERR_OUTBOX_RECORD_TOO_LARGE and nothing
 * is returned. Default cap: IoT Core's 128 KB payload limit.
 */
export function packTelemetry(records: readonly unknown[], maxBytes: number = MAX_PAYLOAD_BYTES): Buffer[] {
  const payloads: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  const close = (): void => {
    if (parts.length === 0) return;
    payloads.push(Buffer.concat([OPEN, ...parts.flatMap((p, i) => (i === 0 ? [p] : [COMMA, p])), CLOSE]));
    parts = [];
    size = 0;
  };
  records.forEach((record, index) => {
    const json = JSON.stringify(record) as string | undefined;
    if (json === undefined) {
      throw new EmberError(
        'EMBER_ERR_OUTBOX_BAD_MESSAGE',
        `telemetry record ${index} cannot be written as JSON`,
      );
    }
    const encoded = Buffer.from(json);
    if (encoded.length + 2 > maxBytes) {
      throw new EmberError(
        'EMBER_ERR_OUTBOX_RECORD_TOO_LARGE',
        `telemetry record ${index} takes ${encoded.length + 2} bytes as a batch of one; the cap is ${maxBytes}`,
      );
    }
    // Brackets plus one comma per record after the first.
    if (parts.length > 0 && size + 1 + encoded.length + 2 > maxBytes) close();
    size += (parts.length > 0 ? 1 : 0) + encoded.length;
    parts.push(encoded);
  });
  close();
  return payloads;
}

/** Room left in a telemetry payload for the envelope around the records. */
const ENVELOPE_BYTES = 512;

/** Who sends a telemetry message and when, and where it goes. */
export interface TelemetryEnvelope {
  readonly deviceId: string;
  /** Wall-clock ms of the message. */
  readonly ts: number;
  readonly topic: string;
  /** A fresh message id per message (one envelope may need several). */
  readonly nextId: () => string;
}

/**
 * Telemetry records as outbox messages: packed under the payload cap, each
 * batch inside a `TelemetryMessage` envelope (the records array spliced in
 * as packed, never parsed and written again).
 */
export function telemetryMessages(records: readonly unknown[], envelope: TelemetryEnvelope): NewMessage[] {
  return packTelemetry(records, MAX_PAYLOAD_BYTES - ENVELOPE_BYTES).map((batch) => {
    const head: Omit<TelemetryMessage, 'records'> = {
      schemaVersion: 1,
      id: envelope.nextId(),
      deviceId: envelope.deviceId,
      ts: envelope.ts,
    };
    const json = JSON.stringify(head);
    const payload = Buffer.concat([Buffer.from(`${json.slice(0, -1)},"records":`), batch, Buffer.from('}')]);
    return { topic: envelope.topic, payload, priority: 'telemetry' };
  });
}
