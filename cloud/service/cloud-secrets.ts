import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';

/** Secrets the cloud makes for itself on its first run and keeps in `dataDir/secrets.json` (0600). */
export interface CloudSecrets {
  /** Signs every webhook body (X-Emberwatch-Signature) unless a target names its own secret. */
  readonly webhookSecret: string;
  /** Binds the dashboard's CSRF tokens to its session. */
  readonly csrfKey: string;
  /** Signs the short-lived model URLs devices download from. */
  readonly modelGrantKey: string;
}

const Secret = z.string().min(43);
const SecretsFile = z.object({ webhookSecret: Secret, csrfKey: Secret, modelGrantKey: Secret });

export const SECRETS_FILE = 'secrets.json';

function fresh(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads `dataDir/secrets.json`, or makes it (owner-only) on the first run.
 * A file that exists but cannot be read or is damaged is
 * EMBER_ERR_CLOUD_START naming it, never replaced: replacing it would
 * silently break every receiver that checks webhook signatures.
 */
export async function ensureCloudSecrets(dataDir: string): Promise<CloudSecrets> {
  const path = join(dataDir, SECRETS_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new EmberError('EMBER_ERR_CLOUD_START', `cannot read ${path}: ${code ?? String(error)}`, {
        cause: error,
      });
    }
  }
  if (text !== undefined) {
    let parsed: z.ZodSafeParseResult<CloudSecrets>;
    try {
      parsed = SecretsFile.safeParse(JSON.parse(text));
    } catch {
      parsed = SecretsFile.safeParse(undefined);
    }
    if (!parsed.success) {
      throw new EmberError(
        'EMBER_ERR_CLOUD_START',
        `${path} is damaged; restore it from a backup or remove it to make new secrets`,
      );
    }
    await chmod(path, 0o600);
    return parsed.data;
  }
  const secrets: CloudSecrets = { webhookSecret: fresh(), csrfKey: fresh(), modelGrantKey: fresh() };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // 'wx': two processes starting at once cannot both write; the loser reads the winner's file.
  try {
    await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureCloudSecrets(dataDir);
    throw new EmberError('EMBER_ERR_CLOUD_START', `cannot write ${path}: ${String(error)}`, { cause: error });
  }
  return secrets;
}
