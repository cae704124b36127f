import { badConfig } from '../shared/config/config-file.js';
import { readConfigNamedFile } from '../shared/config/tls-files.js';
import { isEmberError } from '../shared/errors.js';
import { keyIdOf } from '../shared/model/model-signature.js';

const FIELD = 'model.fleetPublicKeyPath';

/**
 * Reads the fleet's public key (PEM) named by `model.fleetPublicKeyPath` and
 * checks that it is an Ed25519 public key; EMBER_ERR_BAD_CONFIG naming the
 * field and the file if it cannot be read or is another kind of key.
 */
export async function readFleetPublicKey(path: string): Promise<string> {
  const pem = await readConfigNamedFile({ field: FIELD, path });
  if (pem.includes('PRIVATE KEY')) {
    throw badConfig(FIELD, `${path} holds a private key; a device needs only the fleet's public key`);
  }
  try {
    keyIdOf(pem);
  } catch (error) {
    throw badConfig(FIELD, `${path}: ${isEmberError(error) ? error.message : String(error)}`, error);
  }
  return pem;
}
