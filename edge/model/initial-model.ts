import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import { decodeManifest } from '../../shared/model/manifest.js';
import { findPackageFile } from '../../shared/package-files.js';
import { ModelSlots } from './model-slots.js';

/** The offer id a device's first model is recorded under: it came with the software, not from an offer. */
export const FACTORY_OFFER_ID = 'factory-default';

/**
 * The folder of the model the package ships (`models/default`), found from
 * the sources, `dist/` or an installed package alike.
 */
export function shippedModelDir(): string {
  const manifest = findPackageFile('models/default/manifest.json');
  if (manifest === undefined) {
    throw new EmberError(
      'EMBER_ERR_MODEL_INSTALL',
      'the shipped model (models/default) is not in this package',
    );
  }
  return join(manifest, '..');
}

/**
 * Installs the model in `sourceDir` (manifest.json and its model file) in a
 * models folder unless the folder already runs a model (one installed
 * earlier, or a rollout's): a device keeps what it was given across restarts.
 * Returns true when it installed.
 */
export async function seedModelFolder(modelsDir: string, sourceDir: string): Promise<boolean> {
  const slots = new ModelSlots(modelsDir);
  const state = await slots.read();
  if (state.active !== null) return false;
  const manifestBytes = await readFile(join(sourceDir, 'manifest.json'));
  const manifest = decodeManifest(manifestBytes);
  const modelBytes = await readFile(join(sourceDir, manifest.model.file));
  const dir = await slots.install(manifest.version, manifestBytes, manifest.model.file, modelBytes);
  await slots.write({
    active: { dir, version: manifest.version, offerId: FACTORY_OFFER_ID },
    previous: null,
    newestOfferSequence: 0,
  });
  return true;
}

/**
 * Installs a device's first model: `initial` is `shipped` (the package's
 * model) or a model folder. Nothing happens once the folder runs a model.
 */
export async function seedInitialModel(modelsDir: string, initial: string): Promise<boolean> {
  const source = initial === 'shipped' ? shippedModelDir() : initial;
  try {
    return await seedModelFolder(modelsDir, source);
  } catch (error) {
    if (error instanceof EmberError) throw error;
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `model.initial: cannot install the model in ${source}`, {
      cause: error,
    });
  }
}
