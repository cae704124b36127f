import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { describeFleetStateContract } from './fleet-state.contract.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 90_000);

afterAll(async () => {
  await server.stop();
});

describeFleetStateContract('PostgreSQL', async () => {
  const database = await server.createDatabase();
  return { where: { postgresUrl: database.url }, dispose: () => database.drop() };
});
