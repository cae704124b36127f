import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '../../shared/object-store/index.js';
import { describeModelRegistryContract } from './model-registry.contract.js';

describeModelRegistryContract('a folder store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ember-registry-store-'));
  return { store: new FolderStore(root), dispose: () => rm(root, { recursive: true, force: true }) };
});
