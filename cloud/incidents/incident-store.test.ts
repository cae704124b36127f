import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIncidentStoreContract } from './incident-store.contract.js';

describeIncidentStoreContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ember-incidents-'));
  return {
    where: { path: join(folder, 'incidents.db') },
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});
