import { isIP } from 'node:net';
import { EmberError } from '../errors.js';
import { parseDeviceId } from '../topics.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { CLOCK_SKEW_MS } from './certificate-authority.js';
import type { KeyAndCertificate } from './certificate-files.js';
import { CERTIFICATE_ORGANISATION, type CertificateRole } from './certificate-role.js';
import { generateKeyPair, privateKeyToPem, randomSerialNumber } from './key-pair.js';
import { SIGNING_ALGORITHM, crypto, x509, type CryptoKey } from './x509.js';

/** How long an issued certificate is valid. */
export interface IssueOptions {
  /** Whole days from now; 1 to 3650. Default 365. */
  days?: number;
}

const DAY_MS = 86_400_000;

function validityDays(options: IssueOptions): number {
  const days = options.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new EmberError('EMBER_ERR_PKI', `certificate validity must be 1-3650 whole days, not ${days}`);
  }
  return days;
}

/** Signs a certificate for `publicKey`; the key pair is the caller's. */
async function sign(
  ca: CertificateAuthority,
  commonName: string,
  role: CertificateRole,
  usage: x509.ExtendedKeyUsage,
  publicKey: CryptoKey,
  options: IssueOptions,
  extra: x509.Extension[] = [],
): Promise<string> {
  const days = validityDays(options);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ CN: [commonName] }, { OU: [role] }, { O: [CERTIFICATE_ORGANISATION] }],
      issuer: ca.certificate.subject,
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + days * DAY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey,
      signingKey: ca.signingKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        // OpenSSL checks the extended key usage against the TLS side, so a device
        // certificate cannot serve as a broker certificate and the reverse.
        new x509.ExtendedKeyUsageExtension([usage], false),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, crypto),
        ...extra,
      ],
    },
    crypto,
  );
  return certificate.toString('pem');
}

async function issue(
  ca: CertificateAuthority,
  commonName: string,
  role: CertificateRole,
  usage: x509.ExtendedKeyUsage,
  options: IssueOptions,
  extra: x509.Extension[] = [],
): Promise<KeyAndCertificate> {
  const keys = await generateKeyPair();
  const certPem = await sign(ca, commonName, role, usage, keys.publicKey, options, extra);
  return { keyPem: await privateKeyToPem(keys.privateKey), certPem };
}

/**
 * A claim certificate (OU = `claim`) for a batch of devices: it may only ask
 * the broker's fleet provisioning API for a device certificate.
 */
export async function issueClaimCertificate(
  ca: CertificateAuthority,
  name: string,
  options: IssueOptions = {},
): Promise<KeyAndCertificate> {
  return issue(ca, parseDeviceId(name), 'claim', x509.ExtendedKeyUsage.clientAuth, options);
}

/**
 * A client certificate for the key of a PKCS#10 request, signed only when
 * the request's own signature holds (the requester has the key). Subject
 * fields of the request are ignored: the CA decides CN and role. Throws
 * EMBER_ERR_PKI for a request that cannot be read or verified.
 */
export async function issueForRequest(
  ca: CertificateAuthority,
  csrPem: string,
  commonName: string,
  role: CertificateRole,
  options: IssueOptions = {},
): Promise<string> {
  let publicKey: CryptoKey;
  try {
    const request = new x509.Pkcs10CertificateRequest(csrPem);
    if (!(await request.verify(crypto))) throw new Error('signature does not verify');
    publicKey = (await request.publicKey.export(SIGNING_ALGORITHM, ['verify'], crypto)) as CryptoKey;
  } catch (error) {
    throw new EmberError('EMBER_ERR_PKI', `not a signed P-256 certificate request: ${String(error)}`, {
      cause: error,
    });
  }
  return sign(ca, commonName, role, x509.ExtendedKeyUsage.clientAuth, publicKey, options);
}

/**
 * A client certificate for a device: CN = device id (the IoT thing name),
 * OU = `device`. Throws EMBER_ERR_BAD_DEVICE_ID for an id that could not
 * appear in a topic.
 */
export async function issueDeviceCertificate(
  ca: CertificateAuthority,
  deviceId: string,
  options: IssueOptions = {},
): Promise<KeyAndCertificate> {
  const id = parseDeviceId(deviceId);
  return issue(ca, id, 'device', x509.ExtendedKeyUsage.clientAuth, options);
}

/**
 * A client certificate for a cloud service (OU = `service`), which the broker
 * lets use every topic under `emberwatch/v1/`. The name follows the device id
 * rules so that it is just as safe in logs and client ids.
 */
export async function issueServiceCertificate(
  ca: CertificateAuthority,
  serviceName: string,
  options: IssueOptions = {},
): Promise<KeyAndCertificate> {
  const name = parseDeviceId(serviceName);
  return issue(ca, name, 'service', x509.ExtendedKeyUsage.clientAuth, options);
}

/**
 * A TLS server certificate for the embedded broker, valid for each of
 * `hostnames` (DNS names and IP addresses alike, each put in the SAN as the
 * right type, since clients match IP endpoints against IP entries only).
 */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  hostnames: readonly string[] = ['localhost', '127.0.0.1'],
  options: IssueOptions = {},
): Promise<KeyAndCertificate> {
  const [first] = hostnames;
  if (first === undefined)
    throw new EmberError('EMBER_ERR_PKI', 'a server certificate needs at least one hostname');
  const names = hostnames.map((name) => ({
    type: isIP(name) === 0 ? ('dns' as const) : ('ip' as const),
    value: name,
  }));
  const san = new x509.SubjectAlternativeNameExtension(names, false);
  return issue(ca, first, 'server', x509.ExtendedKeyUsage.serverAuth, options, [san]);
}
