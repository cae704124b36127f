import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { CertificateAuthority } from '../../shared/pki/certificate-authority.js';
import { checkIssuedCertificate } from '../../shared/pki/certificate-check.js';
import {
  keyAndCertificatePaths,
  readKeyAndCertificate,
  writeKeyAndCertificate,
  type KeyAndCertificate,
} from '../../shared/pki/certificate-files.js';
import type { CertificateRole } from '../../shared/pki/certificate-role.js';

/** Where a key and its certificate are. */
export interface KeyAndCertificatePaths {
  readonly keyPath: string;
  readonly certPath: string;
}

/** Certificates closer than this to expiry are issued anew on the next run. */
const RENEW_BEFORE_MS = 86_400_000;

/** What a reused certificate must be: its role, its CN (clients) or the names it serves (the broker). */
export type WantedCertificate =
  | { readonly role: 'device' | 'service'; readonly commonName: string }
  | { readonly role: 'server'; readonly hostnames: readonly string[] };

function coversHostnames(certPem: string, hostnames: readonly string[]): boolean {
  const cert = new X509Certificate(certPem);
  return hostnames.every(
    (name) => (isIP(name) === 0 ? cert.checkHost(name) : cert.checkIP(name)) !== undefined,
  );
}

/** Why `pair` is not the certificate wanted, or undefined when it is. Expiry is judged by the caller. */
function mismatch(
  ca: CertificateAuthority,
  pair: KeyAndCertificate,
  wanted: WantedCertificate,
): string | undefined {
  // Any remaining validity passes here: an expiring certificate is renewed, not refused.
  const check = checkIssuedCertificate(ca, pair, { minRemainingMs: -Infinity });
  if (!check.ok) return check.reason;
  const role: CertificateRole | undefined = check.role;
  if (role !== wanted.role) return `it is a ${role ?? 'role-less'} certificate, not a ${wanted.role} one`;
  if (wanted.role === 'server') {
    return coversHostnames(pair.certPem, wanted.hostnames)
      ? undefined
      : `it is not valid for ${wanted.hostnames.join(', ')}`;
  }
  return check.commonName === wanted.commonName
    ? undefined
    : `it belongs to ${check.commonName ?? 'no name'}, not ${wanted.commonName}`;
}

/**
 * `{name}.key`/`{name}.crt` in `dir`: reused when they are what is wanted and
 * this CA's, issued anew when absent or about to expire. Anything else (a
 * half-written pair, a file that is not a certificate, another CA's or
 * another holder's certificate) is EMBER_ERR_PKI naming the file, since
 * overwriting it could lock out whoever uses it.
 */
export async function ensureIssued(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  wanted: WantedCertificate,
  issue: () => Promise<KeyAndCertificate>,
  logger: Logger,
): Promise<KeyAndCertificatePaths> {
  const paths = keyAndCertificatePaths(dir, name);
  const existing = await readKeyAndCertificate(dir, name);
  if (existing !== undefined) {
    const problem = mismatch(ca, existing, wanted);
    if (problem !== undefined) {
      throw new EmberError(
        'EMBER_ERR_PKI',
        `${paths.certPath} cannot be reused (${problem}); remove ${name}.key and ${name}.crt to issue new ones`,
      );
    }
    const validTo = Date.parse(new X509Certificate(existing.certPem).validTo);
    if (validTo - Date.now() >= RENEW_BEFORE_MS) return paths;
    logger.info({ certificate: paths.certPath }, 'certificate about to expire: issuing a new one');
  }
  return writeKeyAndCertificate(dir, name, await issue());
}
