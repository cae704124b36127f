import { postgresForFile, type TestDatabase } from '../../test/helpers/postgres.js';
import { describeFleetRolloutContract } from './fleet-rollout.contract.js';

const createDatabase = postgresForFile();

describeFleetRolloutContract('PostgreSQL', async () => {
  let database: TestDatabase = await createDatabase();
  return {
    where: () => ({ postgresUrl: database.url }),
    lose: async () => {
      await database.drop();
      database = await createDatabase();
    },
    dispose: () => database.drop(),
  };
});
