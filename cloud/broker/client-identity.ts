import { roleFromOrganisationalUnit } from '../../shared/pki/certificate-role.js';
import { isDeviceId } from '../../shared/topics.js';

/** Who is on the other end of a connection, taken from its verified client certificate. */
export interface ClientIdentity {
  /**
   * The device id (IoT thing name) for a device, the service name for a
   * service, the batch name for a claim certificate.
   */
  readonly name: string;
  readonly role: 'device' | 'service' | 'claim';
}

export type IdentityResult =
  { readonly ok: true; readonly identity: ClientIdentity } | { readonly ok: false; readonly reason: string };

/** The thing an active provisioned certificate (by its id, the CN) belongs to; undefined when none. */
export type ThingOfCertificate = (certificateId: string) => string | undefined;

/**
 * Reads the identity from a peer certificate's subject as node:tls reports
 * it (`getPeerCertificate().subject`). The TLS layer has already checked the
 * chain; this only decides what the certificate says. The MQTT client id and
 * username are never consulted: they are chosen by the client. A
 * certificate made by fleet provisioning (OU `provisioned`, CN = its id) is
 * the device the registry attached it to, and nothing while it is pending.
 */
export function identityFromCertificateSubject(
  subject: unknown,
  thingOf: ThingOfCertificate = () => undefined,
): IdentityResult {
  if (typeof subject !== 'object' || subject === null) {
    return { ok: false, reason: 'no client certificate' };
  }
  const fields = subject as Record<string, unknown>;
  const cn = fields['CN'];
  if (typeof cn !== 'string') return { ok: false, reason: 'certificate has no single CN' };
  const role = roleFromOrganisationalUnit(fields['OU']);
  if (role === 'provisioned') {
    const thing = thingOf(cn);
    if (thing === undefined) return { ok: false, reason: 'certificate is not registered to an active thing' };
    return { ok: true, identity: { name: thing, role: 'device' } };
  }
  if (role !== 'device' && role !== 'service' && role !== 'claim') {
    return { ok: false, reason: `certificate role ${JSON.stringify(fields['OU'] ?? null)} may not connect` };
  }
  // Checked for services too: the name is logged and would be a topic level for a device.
  if (!isDeviceId(cn)) return { ok: false, reason: 'certificate CN is not a valid device or service name' };
  return { ok: true, identity: { name: cn, role } };
}
