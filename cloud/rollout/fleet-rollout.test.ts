import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFleetRolloutContract } from './fleet-rollout.contract.js';

describeFleetRolloutContract('SQLite', (dir) => {
  const file = join(dir, 'rollouts.db');
  return Promise.resolve({
    where: () => ({ databaseFile: file }),
    lose: () => rm(file),
    dispose: () => Promise.resolve(),
  });
});
