import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFleetStateContract } from './fleet-state.contract.js';

describeFleetStateContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ember-fleet-'));
  return {
    where: { path: join(folder, 'fleet.db') },
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});
