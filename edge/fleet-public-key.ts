import { readFile } from 'node:fs/promises';
import { EmberError } from '../shared/errors.js';

/** Reads the fleet's public key (PEM) named by `model.fleetPublicKeyPath`; EMBER_ERR_BAD_CONFIG if it cannot. */
export async function readFleetPublicKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError(
      'EMBER_ERR_BAD_CONFIG',
      `config: model.fleetPublicKeyPath: cannot read (${reason})`,
      {
        cause: error,
      },
    );
  }
}
