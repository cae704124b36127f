/**
 * The topics of AWS IoT Core's fleet provisioning MQTT API, which the
 * embedded broker serves too, and what a claim certificate may do with
 * them: ask for a certificate and register a thing through one template,
 * nothing else.
 */

/** The template a claim certificate may register with, on AWS (deploy/aws) and locally. */
export const FLEET_TEMPLATE_NAME = 'EmberwatchFleet';

/** CreateKeysAndCertificate: the service makes the key. */
export const CREATE_KEYS_TOPIC = '$aws/certificates/create/json';
/** CreateCertificateFromCsr: the key never leaves the device. */
export const CREATE_FROM_CSR_TOPIC = '$aws/certificates/create-from-csr/json';

/** RegisterThing through one template. */
export function registerThingTopic(templateName: string): string {
  return `$aws/provisioning-templates/${templateName}/provision/json`;
}

/** The request topics a claim certificate may publish to. */
export function claimRequestTopics(templateName: string): readonly string[] {
  return [CREATE_KEYS_TOPIC, CREATE_FROM_CSR_TOPIC, registerThingTopic(templateName)];
}

/** The reply topics of each request: `accepted` and `rejected`, which a claim certificate may subscribe to. */
export function claimReplyTopics(templateName: string): readonly string[] {
  return claimRequestTopics(templateName).flatMap((topic) => [`${topic}/accepted`, `${topic}/rejected`]);
}

/** A request and what kind it is; undefined for any other topic. */
export type ProvisioningRequest =
  | { readonly kind: 'create-keys' }
  | { readonly kind: 'create-from-csr' }
  | { readonly kind: 'register-thing'; readonly templateName: string };

const REGISTER = /^\$aws\/provisioning-templates\/([A-Za-z0-9_-]{1,36})\/provision\/json$/;

/** Which request a topic is, if any. */
export function provisioningRequestOf(topic: string): ProvisioningRequest | undefined {
  if (topic === CREATE_KEYS_TOPIC) return { kind: 'create-keys' };
  if (topic === CREATE_FROM_CSR_TOPIC) return { kind: 'create-from-csr' };
  const match = REGISTER.exec(topic);
  return match?.[1] === undefined ? undefined : { kind: 'register-thing', templateName: match[1] };
}

/** The claim policy's publish half: the requests of the allowed template, exactly. */
export function claimMayPublish(templateName: string, topic: string): boolean {
  return claimRequestTopics(templateName).includes(topic);
}

/** The claim policy's subscribe half: the replies, exactly (no wildcards). */
export function claimMaySubscribe(templateName: string, filter: string): boolean {
  return claimReplyTopics(templateName).includes(filter);
}
