import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { link, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../errors.js';
import {
  keyAndCertificatePaths,
  readKeyAndCertificate,
  writeKeyAndCertificate,
  type KeyAndCertificate,
} from './certificate-files.js';
import { CERTIFICATE_ORGANISATION } from './certificate-role.js';
import { generateKeyPair, importSigningKey, privateKeyToPem, randomSerialNumber } from './key-pair.js';
import { SIGNING_ALGORITHM, crypto, x509, type CryptoKey } from './x509.js';

/** A loaded local certificate authority: what issuing needs, and where its files are. */
export interface CertificateAuthority {
  /** The CA certificate, PEM: the trust anchor clients and the broker are given. */
  readonly certPem: string;
  readonly certificate: x509.X509Certificate;
  /** Non-extractable: it signs, and is never written anywhere again. */
  readonly signingKey: CryptoKey;
  readonly certPath: string;
  readonly keyPath: string;
}

const CA_FILE = 'ca';
const CA_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;
/** Certificates start a little in the past so that a device whose clock lags can still use them. */
export const CLOCK_SKEW_MS = 5 * 60_000;

async function createCaPems(commonName: string): Promise<KeyAndCertificate> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: [commonName] }, { O: [CERTIFICATE_ORGANISATION] }],
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        // pathLength 0: this CA signs end-entity certificates only, never another CA.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { keyPem: await privateKeyToPem(keys.privateKey), certPem: certificate.toString('pem') };
}

/**
 * Publishes a new CA so that concurrent first users (several `provision`
 * runs at once) end up with the same one: both files are written complete
 * under temporary names, then hard-linked into place key first. Whoever
 * links `ca.key` first wins; the others discard their CA and read the winner's.
 */
async function publishCaFiles(dir: string, pems: KeyAndCertificate): Promise<void> {
  const staging = join(dir, `.ca-${process.pid}-${randomSerialNumber()}`);
  const tmp = await writeKeyAndCertificate(staging, CA_FILE, pems, { exclusive: true });
  const { keyPath, certPath } = keyAndCertificatePaths(dir, CA_FILE);
  try {
    await link(tmp.keyPath, keyPath);
    await link(tmp.certPath, certPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new EmberError('EMBER_ERR_PKI', `cannot create the CA in ${dir}`, { cause: error });
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Reads the CA pair, waiting briefly while another process is between linking the key and the certificate. */
async function readCaPair(dir: string): Promise<KeyAndCertificate | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readKeyAndCertificate(dir, CA_FILE);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function checkCaPair(keyPem: string, certPem: string, certPath: string): void {
  let node: X509Certificate;
  let keyMatches: boolean;
  try {
    node = new X509Certificate(certPem);
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    keyMatches = fromKey.equals(node.publicKey.export({ type: 'spki', format: 'der' }));
  } catch (error) {
    throw new EmberError('EMBER_ERR_PKI', `${certPath} or its key cannot be parsed`, { cause: error });
  }
  if (!node.ca) throw new EmberError('EMBER_ERR_PKI', `${certPath} is not a CA certificate`);
  if (!keyMatches) throw new EmberError('EMBER_ERR_PKI', `${certPath} does not belong to the key next to it`);
  if (Date.parse(node.validTo) < Date.now()) {
    throw new EmberError('EMBER_ERR_PKI', `${certPath} expired on ${node.validTo}`);
  }
}

/**
 * The local CA in `dir`: `ca.key` (0600) and `ca.crt` are created on first use
 * and reused on every later call, so certificates issued earlier stay valid.
 * A key without its certificate (or the reverse), a key that does not match,
 * or an expired CA is EMBER_ERR_PKI rather than a silent new CA.
 */
export async function ensureCa(
  dir: string,
  { commonName = 'Emberwatch local CA' }: { commonName?: string } = {},
): Promise<CertificateAuthority> {
  let pair = await readCaPair(dir);
  if (pair === undefined) {
    await publishCaFiles(dir, await createCaPems(commonName));
    pair = await readCaPair(dir);
  }
  const { keyPath, certPath } = keyAndCertificatePaths(dir, CA_FILE);
  if (pair === undefined) throw new EmberError('EMBER_ERR_PKI', `${certPath} vanished while being created`);
  checkCaPair(pair.keyPem, pair.certPem, certPath);
  return {
    certPem: pair.certPem,
    certificate: new x509.X509Certificate(pair.certPem),
    signingKey: await importSigningKey(pair.keyPem, keyPath),
    certPath,
    keyPath,
  };
}
