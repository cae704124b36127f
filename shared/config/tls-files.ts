import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { badConfig } from './config-file.js';

/** One file a config names: the dotted field and the path it holds. */
export interface ConfigFile {
  readonly field: string;
  readonly path: string;
}

/** The TLS files of an MQTT client's config: a CA (optional), a certificate and its private key. */
export interface TlsFileFields {
  readonly ca?: ConfigFile | undefined;
  readonly cert: ConfigFile;
  readonly key: ConfigFile;
}

/** The PEM text of each file, read and checked. */
export interface TlsFileContents {
  readonly caPem: string | undefined;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Reads a file a config names, or throws EMBER_ERR_BAD_CONFIG naming the field and the path. */
export async function readConfigNamedFile(file: ConfigFile): Promise<string> {
  try {
    return await readFile(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw badConfig(file.field, `cannot read ${file.path} (${code})`, error);
  }
}

function certificateIn(file: ConfigFile, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw badConfig(file.field, `${file.path} holds no certificate in PEM form`, error);
  }
}

function privateKeyIn(file: ConfigFile, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw badConfig(file.field, `${file.path} holds no private key in PEM form`, error);
  }
}

function spki(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/**
 * Reads and checks the files of a mutual-TLS client before any MQTT library
 * sees them: each must be readable, the CA and certificate must be PEM
 * certificates, the key a PEM private key, and the key must belong to the
 * certificate. Every failure is EMBER_ERR_BAD_CONFIG naming the config field
 * and the path, so an operator learns which line of the file to fix rather
 * than a TLS library's error code.
 */
export async function readTlsFiles(fields: TlsFileFields): Promise<TlsFileContents> {
  const [caPem, certPem, keyPem] = await Promise.all([
    fields.ca === undefined ? Promise.resolve(undefined) : readConfigNamedFile(fields.ca),
    readConfigNamedFile(fields.cert),
    readConfigNamedFile(fields.key),
  ]);
  if (fields.ca !== undefined && caPem !== undefined) certificateIn(fields.ca, caPem);
  const certificate = certificateIn(fields.cert, certPem);
  const key = privateKeyIn(fields.key, keyPem);
  if (!spki(key).equals(certificate.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw badConfig(
      fields.key.field,
      `${fields.key.path} is not the private key of the certificate ${fields.cert.path} (${fields.cert.field})`,
    );
  }
  return { caPem, certPem, keyPem };
}
