import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { CertificateAuthority } from './certificate-authority.js';
import type { KeyAndCertificate } from './certificate-files.js';
import { roleFromOrganisationalUnit, type CertificateRole } from './certificate-role.js';

/** What an issued certificate says about its holder, read back with node:crypto. */
export interface IssuedCertificateFacts {
  readonly commonName: string | undefined;
  readonly role: CertificateRole | undefined;
  readonly validTo: Date;
}

export type IssuedCertificateCheck =
  ({ readonly ok: true } & IssuedCertificateFacts) | { readonly ok: false; readonly reason: string };

/** One attribute of Node's `subject` text (`CN=a\nOU=b`); undefined when absent or repeated. */
export function subjectAttribute(subject: string, name: string): string | undefined {
  const values = subject
    .split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .map((line) => line.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Whether `pair` is a certificate this CA signed, still valid for at least
 * `minRemainingMs`, together with its private key. Used to decide whether
 * files from an earlier run can be reused; never throws.
 */
export function checkIssuedCertificate(
  ca: CertificateAuthority,
  pair: KeyAndCertificate,
  { now = Date.now(), minRemainingMs = 86_400_000 }: { now?: number; minRemainingMs?: number } = {},
): IssuedCertificateCheck {
  let certificate: X509Certificate;
  let authority: X509Certificate;
  try {
    certificate = new X509Certificate(pair.certPem);
    authority = new X509Certificate(ca.certPem);
  } catch {
    return { ok: false, reason: 'the certificate cannot be parsed' };
  }
  if (!certificate.checkIssued(authority) || !certificate.verify(authority.publicKey)) {
    return { ok: false, reason: 'the certificate was not issued by this CA' };
  }
  try {
    const fromKey = createPublicKey(createPrivateKey(pair.keyPem)).export({ type: 'spki', format: 'der' });
    if (!fromKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' }))) {
      return { ok: false, reason: 'the key does not belong to the certificate' };
    }
  } catch {
    return { ok: false, reason: 'the key cannot be parsed' };
  }
  const validTo = new Date(certificate.validTo);
  if (validTo.getTime() - now < minRemainingMs)
    return { ok: false, reason: 'the certificate expires too soon' };
  return {
    ok: true,
    commonName: subjectAttribute(certificate.subject, 'CN'),
    role: roleFromOrganisationalUnit(subjectAttribute(certificate.subject, 'OU')),
    validTo,
  };
}
