import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { FACTORY_OFFER_ID, seedInitialModel, shippedModelDir } from './initial-model.js';
import { ModelSlots } from './model-slots.js';

describe('seedInitialModel', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-initial-model-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("installs the package's model in an empty models folder, once", async () => {
    const manifest = JSON.parse(await readFile(join(shippedModelDir(), 'manifest.json'), 'utf8')) as {
      version: string;
    };
    expect(await seedInitialModel(join(dir, 'models'), 'shipped')).toBe(true);
    const state = await new ModelSlots(join(dir, 'models')).read();
    expect(state.active).toMatchObject({ version: manifest.version, offerId: FACTORY_OFFER_ID });
    expect(await seedInitialModel(join(dir, 'models'), 'shipped')).toBe(false);
  });

  it('leaves a folder that runs a model alone, whatever the initial model', async () => {
    const slots = new ModelSlots(join(dir, 'models'));
    await seedInitialModel(slots.root, shippedModelDir());
    const before = await slots.read();
    expect(await seedInitialModel(slots.root, join(dir, 'nowhere'))).toBe(false);
    expect(await slots.read()).toEqual(before);
  });

  it('names model.initial and the folder when there is no model there', async () => {
    const error: unknown = await seedInitialModel(join(dir, 'models'), join(dir, 'nowhere')).catch(
      (e: unknown) => e,
    );
    expect(isEmberError(error, 'EMBER_ERR_BAD_CONFIG')).toBe(true);
    expect((error as Error).message).toBe(
      `model.initial: cannot install the model in ${join(dir, 'nowhere')}`,
    );
  });
});
