import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfigDeliveryContract } from './config-delivery.contract.js';

describeConfigDeliveryContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ember-configs-'));
  return {
    where: { databaseFile: join(folder, 'configs.sqlite') },
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});
