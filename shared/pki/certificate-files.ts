import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../errors.js';

/** A private key and its certificate, both PEM. */
export interface KeyAndCertificate {
  readonly keyPem: string;
  readonly certPem: string;
}

/** Where `{name}.key` and `{name}.crt` live in `dir`. */
export function keyAndCertificatePaths(dir: string, name: string): { keyPath: string; certPath: string } {
  return { keyPath: join(dir, `${name}.key`), certPath: join(dir, `${name}.crt`) };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmberError(
      'EMBER_ERR_PKI',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads `{name}.key` and `{name}.crt` from `dir`: undefined when neither
 * exists, EMBER_ERR_PKI when only one does (a half-written pair is never
 * silently replaced, since the missing half may be somewhere else on purpose).
 */
export async function readKeyAndCertificate(
  dir: string,
  name: string,
): Promise<KeyAndCertificate | undefined> {
  const { keyPath, certPath } = keyAndCertificatePaths(dir, name);
  const [keyPem, certPem] = await Promise.all([readIfPresent(keyPath), readIfPresent(certPath)]);
  if (keyPem === undefined && certPem === undefined) return undefined;
  if (keyPem === undefined || certPem === undefined) {
    const missing = keyPem === undefined ? keyPath : certPath;
    throw new EmberError(
      'EMBER_ERR_PKI',
      `${missing} is missing while its pair exists; remove both or restore it`,
    );
  }
  return { keyPem, certPem };
}

/**
 * Writes `{name}.key` (mode 0600) and `{name}.crt` (0644) into `dir`, creating
 * it (0700) if needed. With `exclusive`, an existing file is an error rather
 * than overwritten.
 */
export async function writeKeyAndCertificate(
  dir: string,
  name: string,
  pair: KeyAndCertificate,
  { exclusive = false }: { exclusive?: boolean } = {},
): Promise<{ keyPath: string; certPath: string }> {
  const paths = keyAndCertificatePaths(dir, name);
  const flag = exclusive ? 'wx' : 'w';
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The key goes first so that a crash never leaves a certificate without its key.
    await writeFile(paths.keyPath, pair.keyPem, { mode: 0o600, flag });
    // `mode` only applies when the file is created; an overwritten key keeps its old mode otherwise.
    await chmod(paths.keyPath, 0o600);
    await writeFile(paths.certPath, pair.certPem, { mode: 0o644, flag });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new EmberError('EMBER_ERR_PKI', `cannot write ${name}.key/${name}.crt in ${dir}: ${code}`, {
      cause: error,
    });
  }
  return paths;
}
