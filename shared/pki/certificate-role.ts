/**
 * What a certificate is for, written as the subject's OU. The broker reads it
 * from the verified peer certificate: only the CA can set it, so a device
 * cannot claim to be a service. `claim`: the batch certificate a device
 * ships with, good only for fleet provisioning; `provisioned`: a device
 * certificate made by fleet provisioning, whose CN is its certificate id
 * and whose thing the broker's registry knows.
 */
export const CERTIFICATE_ROLES = ['device', 'service', 'server', 'claim', 'provisioned'] as const;
export type CertificateRole = (typeof CERTIFICATE_ROLES)[number];

/** The subject's O for every certificate this CA issues. */
export const CERTIFICATE_ORGANISATION = 'Emberwatch';

/**
 * The role named by a subject's OU as Node reports it (a string, or an array
 * when the attribute repeats). Repeated or unknown OUs give undefined: a
 * certificate with two roles is refused rather than read generously.
 */
export function roleFromOrganisationalUnit(ou: unknown): CertificateRole | undefined {
  if (typeof ou !== 'string') return undefined;
  return (CERTIFICATE_ROLES as readonly string[]).includes(ou) ? (ou as CertificateRole) : undefined;
}
