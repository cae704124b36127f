import { postgresForFile } from '../../test/helpers/postgres.js';
import { describeConfigDeliveryContract } from './config-delivery.contract.js';

const createDatabase = postgresForFile();

describeConfigDeliveryContract('PostgreSQL', async () => {
  const database = await createDatabase();
  return { where: { postgresUrl: database.url }, dispose: () => database.drop() };
});
