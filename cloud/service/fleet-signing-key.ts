import { readFile } from 'node:fs/promises';
import { EmberError } from '../../shared/errors.js';
import type { CloudConfig } from '../config/cloud-config.js';

/**
 * The fleet's private signing key (PEM) named by `fleetKey.privateKeyPath`,
 * or undefined when none is configured. Throws EMBER_ERR_BAD_CONFIG when the
 * file cannot be read.
 */
export async function readFleetSigningKey(config: CloudConfig): Promise<string | undefined> {
  const path = config.fleetKey?.privateKeyPath;
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `config: fleetKey.privateKeyPath: cannot read (${reason})`, {
      cause: error,
    });
  }
}
