import { claimMayPublish, claimMaySubscribe } from '../../shared/fleet-provisioning-topics.js';
import {
  deviceMayPublish,
  deviceMaySubscribe,
  isClientIdOf,
  isDeviceId,
  isUnderTopicRoot,
} from '../../shared/topics.js';
import type { ClientIdentity } from './client-identity.js';

/**
 * The broker's authorisation rules as pure functions. Each returns the reason
 * for a refusal, or undefined when the action is allowed. Devices get the
 * per-thing policy of shared/topics.ts; services get all of `emberwatch/v1/`;
 * claim certificates get the fleet provisioning requests of the broker's
 * templates and their replies, nothing else.
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
  // A claim certificate is shared by a batch: each device connects under its own (serial) client id.
  if (identity.role === 'claim' && !isDeviceId(clientId)) return 'client id is not a valid thing name';
  if (willTopic !== undefined && publishRefusal(identity, willTopic) !== undefined) {
    return 'last will topic is not one the client may publish';
  }
  return undefined;
}

/** The templates a claim certificate may register through, unless the broker says otherwise. */
const DEFAULT_TEMPLATES: readonly string[] = [];

export function publishRefusal(
  identity: ClientIdentity,
  topic: string,
  templates: readonly string[] = DEFAULT_TEMPLATES,
): string | undefined {
  if (identity.role === 'device') {
    return deviceMayPublish(identity.name, topic) ? undefined : 'publish outside the device policy';
  }
  if (identity.role === 'claim') {
    return templates.some((t) => claimMayPublish(t, topic)) ? undefined : 'publish outside the claim policy';
  }
  return isUnderTopicRoot(topic) ? undefined : 'publish outside emberwatch/v1/';
}

export function subscribeRefusal(
  identity: ClientIdentity,
  filter: string,
  templates: readonly string[] = DEFAULT_TEMPLATES,
): string | undefined {
  if (identity.role === 'device') {
    return deviceMaySubscribe(identity.name, filter) ? undefined : 'subscribe outside the device policy';
  }
  if (identity.role === 'claim') {
    return templates.some((t) => claimMaySubscribe(t, filter))
      ? undefined
      : 'subscribe outside the claim policy';
  }
  return isUnderTopicRoot(filter) ? undefined : 'subscribe outside emberwatch/v1/';
}
