import { createPublicKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { generateOfferKeys, keyIdOf } from '../../shared/model/model-signature.js';

/** The fleet's Ed25519 offer-signing key pair on disk. */
export interface OfferKeyFiles {
  /** PKCS#8 PEM, mode 0600: only the cloud's rollout signs with it. */
  readonly privateKeyPath: string;
  /** SPKI PEM: every gateway's `model.fleetPublicKeyPath`. */
  readonly publicKeyPath: string;
  readonly keyId: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new EmberError('EMBER_ERR_SIGNING_KEY', `cannot read ${path}: ${code ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Writes `text` under a temporary name and renames it into place, so a crash never leaves half a key. */
async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    await writeFile(tmp, text, { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_SIGNING_KEY', `cannot write ${path}: ${code}`, { cause: error });
  }
}

function keyIdIn(path: string, pem: string): string {
  try {
    return keyIdOf(pem);
  } catch (error) {
    const reason = isEmberError(error) ? error.message : String(error);
    throw new EmberError('EMBER_ERR_SIGNING_KEY', `${path}: ${reason}`, { cause: error });
  }
}

/**
 * The offer keys in `dir` (`offer-signing.key`, `offer-signing.pub`): made on
 * first use, reused unchanged afterwards. A missing public key is derived
 * again from the private one; a missing private key next to a public one,
 * an unreadable key or a pair that does not match is EMBER_ERR_SIGNING_KEY
 * naming the file, since a new pair would make every gateway refuse offers.
 */
export async function ensureOfferKeys(dir: string): Promise<OfferKeyFiles> {
  const privateKeyPath = join(dir, 'offer-signing.key');
  const publicKeyPath = join(dir, 'offer-signing.pub');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [privatePem, publicPem] = await Promise.all([
    readIfPresent(privateKeyPath),
    readIfPresent(publicKeyPath),
  ]);
  if (privatePem === undefined) {
    if (publicPem !== undefined) {
      throw new EmberError(
        'EMBER_ERR_SIGNING_KEY',
        `${privateKeyPath} is missing while ${publicKeyPath} exists; restore it, or remove both to make a new fleet key`,
      );
    }
    const keys = generateOfferKeys();
    await writeWhole(privateKeyPath, keys.privateKeyPem, 0o600);
    await writeWhole(publicKeyPath, keys.publicKeyPem, 0o644);
    return { privateKeyPath, publicKeyPath, keyId: keys.keyId };
  }
  if (!privatePem.includes('PRIVATE KEY')) {
    throw new EmberError('EMBER_ERR_SIGNING_KEY', `${privateKeyPath}: not a private key in PEM form`);
  }
  const keyId = keyIdIn(privateKeyPath, privatePem);
  if (publicPem === undefined) {
    const derived = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
    await writeWhole(publicKeyPath, derived, 0o644);
  } else if (keyIdIn(publicKeyPath, publicPem) !== keyId) {
    throw new EmberError(
      'EMBER_ERR_SIGNING_KEY',
      `${publicKeyPath} is not the public half of ${privateKeyPath}; remove both to make a new fleet key`,
    );
  }
  await chmod(privateKeyPath, 0o600);
  return { privateKeyPath, publicKeyPath, keyId };
}
