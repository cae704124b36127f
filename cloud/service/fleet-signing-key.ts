import { badConfig } from '../../shared/config/config-file.js';
import { readConfigNamedFile } from '../../shared/config/tls-files.js';
import { isEmberError } from '../../shared/errors.js';
import { keyIdOf } from '../../shared/model/model-signature.js';
import type { CloudConfig } from '../config/cloud-config.js';

const FIELD = 'fleetKey.privateKeyPath';

/**
 * The fleet's private signing key (PEM) named by `fleetKey.privateKeyPath`,
 * or undefined when none is configured. Throws EMBER_ERR_BAD_CONFIG naming
 * the field and the file when it cannot be read or is not an Ed25519
 * private key.
 */
export async function readFleetSigningKey(config: CloudConfig): Promise<string | undefined> {
  const path = config.fleetKey?.privateKeyPath;
  if (path === undefined) return undefined;
  const pem = await readConfigNamedFile({ field: FIELD, path });
  if (!pem.includes('PRIVATE KEY')) {
    throw badConfig(
      FIELD,
      `${path} holds no private key in PEM form (offers are signed with the private half)`,
    );
  }
  try {
    keyIdOf(pem);
  } catch (error) {
    throw badConfig(FIELD, `${path}: ${isEmberError(error) ? error.message : String(error)}`, error);
  }
  return pem;
}
