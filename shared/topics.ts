import { z } from 'zod';
import { EmberError } from './errors.js';

/** The first two levels of every Emberwatch topic; the version changes only with an incompatible layout. */
export const TOPIC_ROOT = 'emberwatch/v1';

/** What follows `emberwatch/v1/{deviceId}/`; `model/offer` and `model/report` span two levels. */
export const TOPIC_KINDS = [
  'telemetry',
  'anomaly',
  'status',
  'model/offer',
  'model/report',
  'config',
] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/**
 * A device id: the IoT thing name and the certificate's CN. The character set
 * is IoT Core's thing-name set, which also keeps MQTT's `/`, `+` and `#` out.
 */
export const DeviceId = z
  .string()
  .regex(/^[A-Za-z0-9_:-]{1,64}$/, 'a device id is 1-64 characters of A-Z a-z 0-9 _ - :');
export type DeviceId = z.infer<typeof DeviceId>;

/** Kinds a device publishes itself. */
export const DEVICE_PUBLISHES: readonly TopicKind[] = ['telemetry', 'anomaly', 'status', 'model/report'];
/** Kinds a device listens to: what the cloud sends it, and its own retained status. */
export const DEVICE_SUBSCRIBES: readonly TopicKind[] = ['model/offer', 'config', 'status'];

/**
 * The MQTT client ids a device may connect with: its id, or its id, `#` and
 * a short suffix. The suffix lets a second client on the same gateway (the
 * agent beside a Greengrass nucleus, which holds the bare thing name)
 * connect without closing the first one's session; IoT Core's own clients
 * of one core device are named the same way (`thing#2`).
 */
export function isClientIdOf(deviceId: string, clientId: string): boolean {
  if (clientId === deviceId) return true;
  const prefix = `${deviceId}#`;
  return clientId.startsWith(prefix) && /^[A-Za-z0-9_-]{1,32}$/.test(clientId.slice(prefix.length));
}

/** True when `value` is a valid device id. */
export function isDeviceId(value: string): boolean {
  return DeviceId.safeParse(value).success;
}

/** Returns `value` as a device id or throws EMBER_ERR_BAD_DEVICE_ID naming it. */
export function parseDeviceId(value: string): DeviceId {
  const parsed = DeviceId.safeParse(value);
  if (!parsed.success) {
    throw new EmberError(
      'EMBER_ERR_BAD_DEVICE_ID',
      `bad device id ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The topic of one kind for one device; throws EMBER_ERR_BAD_DEVICE_ID for a bad id. */
export function topicFor(deviceId: string, kind: TopicKind): string {
  return `${TOPIC_ROOT}/${parseDeviceId(deviceId)}/${kind}`;
}

/** Builders for each topic of a device, e.g. `deviceTopics('gw-1').telemetry`. */
export function deviceTopics(deviceId: string): Readonly<Record<TopicKind, string>> {
  const id = parseDeviceId(deviceId);
  return {
    telemetry: `${TOPIC_ROOT}/${id}/telemetry`,
    anomaly: `${TOPIC_ROOT}/${id}/anomaly`,
    status: `${TOPIC_ROOT}/${id}/status`,
    'model/offer': `${TOPIC_ROOT}/${id}/model/offer`,
    'model/report': `${TOPIC_ROOT}/${id}/model/report`,
    config: `${TOPIC_ROOT}/${id}/config`,
  };
}

/** A topic taken apart. */
export interface ParsedTopic {
  readonly deviceId: DeviceId;
  readonly kind: TopicKind;
}

function isTopicKind(value: string): value is TopicKind {
  return (TOPIC_KINDS as readonly string[]).includes(value);
}

/**
 * Parses a concrete topic name (no wildcards). Returns undefined for anything
 * that is not exactly `emberwatch/v1/{deviceId}/{kind}`, so callers treat
 * unknown topics as foreign rather than guessing.
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const deviceId = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  if (!isDeviceId(deviceId) || !isTopicKind(kind)) return undefined;
  return { deviceId, kind };
}

/**
 * The publish half of the device policy, as an IoT Core policy granting
 * `iot:Publish` on `emberwatch/v1/${iot:Connection.Thing.ThingName}/{telemetry,
 * anomaly,status,model/report}` would decide it.
 */
export function deviceMayPublish(deviceId: string, topic: string): boolean {
  const parsed = parseTopic(topic);
  return parsed !== undefined && parsed.deviceId === deviceId && DEVICE_PUBLISHES.includes(parsed.kind);
}

/**
 * The subscribe half of the device policy. Only exact filters are granted:
 * IoT Core matches a subscribe filter against the policy's `topicfilter/`
 * resources literally, so a wildcard filter is refused even when it would
 * only match the device's own topics.
 */
export function deviceMaySubscribe(deviceId: string, filter: string): boolean {
  if (filter.includes('+') || filter.includes('#')) return false;
  const parsed = parseTopic(filter);
  return parsed !== undefined && parsed.deviceId === deviceId && DEVICE_SUBSCRIBES.includes(parsed.kind);
}

/**
 * True when a topic or filter lies inside `emberwatch/v1/`, the whole space
 * a cloud service may use. A bare `#` or `+/...` is outside it.
 */
export function isUnderTopicRoot(topicOrFilter: string): boolean {
  return topicOrFilter.startsWith(`${TOPIC_ROOT}/`);
}
