import { EmberError } from '../errors.js';
import { SIGNING_ALGORITHM, crypto, x509, type CryptoKey } from './x509.js';

/** A freshly generated signing key pair; the private key is extractable so it can be written out once. */
export interface SigningKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export async function generateKeyPair(): Promise<SigningKeyPair> {
  return crypto.subtle.generateKey(SIGNING_ALGORITHM, true, ['sign', 'verify']);
}

/** PKCS#8 PEM (`BEGIN PRIVATE KEY`), which Node, OpenSSL, s2n and MQTT.js all read. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Reads a PKCS#8 P-256 private key for signing; `what` names the file in the error. */
export async function importSigningKey(pem: string, what: string): Promise<CryptoKey> {
  try {
    const der = x509.PemConverter.decodeFirst(pem);
    return await crypto.subtle.importKey('pkcs8', der, SIGNING_ALGORITHM, false, ['sign']);
  } catch (error) {
    throw new EmberError('EMBER_ERR_PKI', `${what} is not a PKCS#8 P-256 private key`, { cause: error });
  }
}

/** A random positive 128-bit serial number in hex, as RFC 5280 asks (at most 20 octets, unique per CA). */
export function randomSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
