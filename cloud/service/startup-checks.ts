import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import { subjectAttribute } from '../../shared/pki/certificate-check.js';

function startError(message: string, cause?: unknown): EmberError {
  return new EmberError('EMBER_ERR_CLOUD_START', message, cause === undefined ? {} : { cause });
}

/** A PEM file the cloud cannot run without; EMBER_ERR_CLOUD_START naming it when it cannot be read. */
export async function readRequiredFile(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw startError(`${what} ${path}: cannot read: ${code}`, error);
  }
}

/**
 * Checks the client certificate the cloud shows the broker before any
 * connection is tried: it parses, its key is its own, it has not expired,
 * and it is not a device's or a server's (OU). A certificate without an
 * Emberwatch role (AWS IoT Core issues those) passes.
 */
export function checkServiceCertificate(
  certPem: string,
  keyPem: string,
  paths: { readonly certPath: string; readonly keyPath: string },
  now = Date.now(),
): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw startError(`service certificate ${paths.certPath}: not a PEM certificate`, error);
  }
  let matches: boolean;
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    matches = fromKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' }));
  } catch (error) {
    throw startError(`service key ${paths.keyPath}: not a PEM private key`, error);
  }
  if (!matches) throw startError(`service key ${paths.keyPath} does not belong to ${paths.certPath}`);
  if (Date.parse(certificate.validTo) <= now) {
    throw startError(`service certificate ${paths.certPath} expired on ${certificate.validTo}`);
  }
  const role = subjectAttribute(certificate.subject, 'OU');
  if (role === 'device' || role === 'server') {
    const name = subjectAttribute(certificate.subject, 'CN') ?? '?';
    throw startError(
      `service certificate ${paths.certPath} is a ${role} certificate (CN=${name}, OU=${role}); the cloud connects as a service and needs OU=service`,
    );
  }
}

/** Makes the data folder and its files owner-only: earlier versions left them world-readable. */
export async function tightenDataDir(dataDir: string): Promise<number> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  let changed = 0;
  for (const name of await readdir(dataDir)) {
    const path = join(dataDir, name);
    const info = await stat(path);
    if (info.isFile() && (info.mode & 0o077) !== 0) {
      await chmod(path, 0o600);
      changed++;
    }
  }
  return changed;
}
