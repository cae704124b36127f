import { postgresForFile } from '../../test/helpers/postgres.js';
import { describeLearningStoreContract } from './learning-store.contract.js';

const createDatabase = postgresForFile();

describeLearningStoreContract('PostgreSQL', async () => {
  const database = await createDatabase();
  return { where: { postgresUrl: database.url }, dispose: () => database.drop() };
});
