import pg from 'pg';
import {
  existingPostgres,
  startThrowawayPostgres,
  type ThrowawayDatabase,
  type ThrowawayPostgres,
} from '../../cloud/database/throwaway-postgres.js';

export type TestPostgres = ThrowawayPostgres;
export type TestDatabase = ThrowawayDatabase;

/**
 * The PostgreSQL server a test file uses: `EMBERWATCH_TEST_POSTGRES` (a URL
 * to a role that may create databases), else one started for the file from
 * the postgresql package's binaries. The caller must `stop()` it.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const configured = process.env.EMBERWATCH_TEST_POSTGRES;
  if (configured !== undefined && configured !== '') return existingPostgres(configured);
  return startThrowawayPostgres();
}

/** The rows of one query on `url`, through a connection of its own (what a test reads back). */
export async function queryRows<R>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}
