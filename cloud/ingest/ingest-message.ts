import type { z } from 'zod';
import { ModelReport } from '../../shared/model/model-report.js';
import { LinkStatus } from '../../shared/schemas/link-status.js';
import {
  AnomalyMessage,
  StatusMessage,
  TELEMETRY_PACK_KIND,
  TelemetryMessage,
  TelemetryPack,
} from '../../shared/schemas/messages.js';
import { parseTopic } from '../../shared/topics.js';

/** What the ingest hands on: the status topic carries two kinds, the link's and the agent's health. */
export const INGEST_KINDS = ['anomaly', 'telemetry', 'health', 'link', 'report'] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

/** Why a message was refused; each is counted on its own. */
export const INVALID_REASONS = [
  'foreign-topic',
  'too-large',
  'bad-json',
  'bad-schema',
  'device-mismatch',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** IoT Core caps payloads at 128 KB; anything much larger is not from a device of ours. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

/** A device message that passed every check, tagged with its kind and the device of its topic. */
export type DeviceMessage =
  | { readonly kind: 'anomaly'; readonly deviceId: string; readonly message: AnomalyMessage }
  | {
      readonly kind: 'telemetry';
      readonly deviceId: string;
      /** One stored telemetry message, or the several of a pack (a backlog), in stored order. */
      readonly messages: readonly TelemetryMessage[];
      /** The pack's own id when it came packed. */
      readonly packId?: string;
    }
  | { readonly kind: 'health'; readonly deviceId: string; readonly message: StatusMessage }
  | { readonly kind: 'link'; readonly deviceId: string; readonly message: LinkStatus }
  | { readonly kind: 'report'; readonly deviceId: string; readonly message: ModelReport };

/** A refused message: the reason, and one short phrase naming what is wrong (the first bad field). */
export interface MessageRefusal {
  readonly reason: InvalidReason;
  readonly detail: string;
}

export type DeviceMessageResult =
  | { readonly ok: true; readonly value: DeviceMessage }
  | { readonly ok: false; readonly refusal: MessageRefusal };

function refuse(reason: InvalidReason, detail: string): DeviceMessageResult {
  return { ok: false, refusal: { reason, detail } };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? '(root)' : path}: ${issue.message}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(payload: Uint8Array): { ok: true; body: unknown } | { ok: false; detail: string } {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, detail: 'payload is not UTF-8' };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      detail: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '',
    };
  }
}

/** Validates `body` against `schema` and checks that its `deviceId` (when it has one) is the topic's. */
function checked<S extends z.ZodType>(
  schema: S,
  body: unknown,
  topicDevice: string,
  make: (message: z.output<S>) => DeviceMessage,
): DeviceMessageResult {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return refuse('bad-schema', firstIssue(parsed.error));
  const value = make(parsed.data);
  const claimed = claimedDevices(value).find((device) => device !== topicDevice);
  if (claimed !== undefined) {
    return refuse('device-mismatch', `deviceId: ${JSON.stringify(claimed)} on the topic of ${topicDevice}`);
  }
  return { ok: true, value };
}

/** Every device a message's body names (a pack names one in itself, kept as its deviceId until checked, and one in each message). */
function claimedDevices(value: DeviceMessage): string[] {
  if (value.kind === 'telemetry') return [value.deviceId, ...value.messages.map((m) => m.deviceId)];
  return 'deviceId' in value.message ? [value.message.deviceId] : [];
}

function isPack(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'kind' in body && body.kind === TELEMETRY_PACK_KIND;
}

/**
 * Takes one MQTT message apart: topic (shared/topics.ts), JSON payload and the
 * schema of its kind. A body naming another device than its topic is refused,
 * so a device can never speak for another. Pure: never throws.
 */
export function readDeviceMessage(
  topic: string,
  payload: Uint8Array,
  maxPayloadBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
): DeviceMessageResult {
  const parsedTopic = parseTopic(topic);
  if (parsedTopic === undefined) return refuse('foreign-topic', 'not emberwatch/v1/{deviceId}/{kind}');
  const { deviceId, kind } = parsedTopic;
  if (payload.byteLength > maxPayloadBytes) {
    return refuse('too-large', `${payload.byteLength} bytes, more than ${maxPayloadBytes}`);
  }
  if (kind !== 'anomaly' && kind !== 'telemetry' && kind !== 'status' && kind !== 'model/report') {
    return refuse('foreign-topic', `${kind} is not a topic devices publish`);
  }
  const decoded = decodeJson(payload);
  if (!decoded.ok) return refuse('bad-json', decoded.detail);
  const { body } = decoded;
  switch (kind) {
    case 'anomaly':
      return checked(AnomalyMessage, body, deviceId, (message) => ({ kind: 'anomaly', deviceId, message }));
    case 'telemetry':
      if (!isPack(body)) {
        return checked(TelemetryMessage, body, deviceId, (message) => ({
          kind: 'telemetry',
          deviceId,
          messages: [message],
        }));
      }
      return checked(TelemetryPack, body, deviceId, (pack) => ({
        kind: 'telemetry',
        deviceId: pack.deviceId,
        messages: pack.messages,
        packId: pack.id,
      }));
    case 'model/report':
      return checked(ModelReport, body, deviceId, (message) => ({ kind: 'report', deviceId, message }));
    case 'status': {
      const isHealth = typeof body === 'object' && body !== null && 'kind' in body && body.kind === 'health';
      return isHealth
        ? checked(StatusMessage, body, deviceId, (message) => ({ kind: 'health', deviceId, message }))
        : checked(LinkStatus, body, deviceId, (message) => ({ kind: 'link', deviceId, message }));
    }
  }
}
