import { postgresForFile } from '../../test/helpers/postgres.js';
import { describeFleetStateContract } from './fleet-state.contract.js';

const createDatabase = postgresForFile();

describeFleetStateContract('PostgreSQL', async () => {
  const database = await createDatabase();
  return { where: { postgresUrl: database.url }, dispose: () => database.drop() };
});
