import { deviceMayPublish, deviceMaySubscribe, isClientIdOf, isUnderTopicRoot } from '../../shared/topics.js';
import type { ClientIdentity } from './client-identity.js';

/**
 * The broker's authorisation rules as pure functions. Each returns the reason
 * for a refusal, or undefined when the action is allowed. Devices get the
 * per-thing policy of shared/topics.ts; services get all of `emberwatch/v1/`.
 */

/**
 * A device must connect with its thing name as client id, as IoT Core
 * requires under a policy granting `iot:Connect` on
 * `client/${iot:Connection.Thing.ThingName}`. Besides matching AWS, this stops
 * one device from taking over another's session (MQTT closes the older
 * connection with the same client id). `{thing}#{suffix}` is accepted too
 * (see isClientIdOf). A will must be a topic the client could publish itself.
 */
export function connectRefusal(
  identity: ClientIdentity,
  clientId: string,
  willTopic: string | undefined,
): string | undefined {
  if (identity.role === 'device' && !isClientIdOf(identity.name, clientId)) {
    return 'client id differs from the certificate CN';
  }
  if (willTopic !== undefined && publishRefusal(identity, willTopic) !== undefined) {
    return 'last will topic is not one the client may publish';
  }
  return undefined;
}

export function publishRefusal(identity: ClientIdentity, topic: string): string | undefined {
  if (identity.role === 'device') {
    return deviceMayPublish(identity.name, topic) ? undefined : 'publish outside the device policy';
  }
  return isUnderTopicRoot(topic) ? undefined : 'publish outside emberwatch/v1/';
}

export function subscribeRefusal(identity: ClientIdentity, filter: string): string | undefined {
  if (identity.role === 'device') {
    return deviceMaySubscribe(identity.name, filter) ? undefined : 'subscribe outside the device policy';
  }
  return isUnderTopicRoot(filter) ? undefined : 'subscribe outside emberwatch/v1/';
}
