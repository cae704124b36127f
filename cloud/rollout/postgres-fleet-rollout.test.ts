import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestDatabase, type TestPostgres } from '../../test/helpers/postgres.js';
import { describeFleetRolloutContract } from './fleet-rollout.contract.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 90_000);

afterAll(async () => {
  await server.stop();
});

describeFleetRolloutContract('PostgreSQL', async () => {
  let database: TestDatabase = await server.createDatabase();
  return {
    where: () => ({ postgresUrl: database.url }),
    lose: async () => {
      await database.drop();
      database = await server.createDatabase();
    },
    dispose: () => database.drop(),
  };
});
