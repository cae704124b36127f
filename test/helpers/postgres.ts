import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
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

/**
 * One PostgreSQL server for the whole test file, started before its tests
 * and stopped after them; the returned function makes a fresh database on
 * it (the caller drops it).
 */
export function postgresForFile(): () => Promise<TestDatabase> {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('postgresForFile: the server starts in beforeAll');
    return server.createDatabase();
  };
}

/** The rows of one query on `url`, through a connection of its own (what a test reads back). */
export async function queryRows<R>(url: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, [...params])).rows as R[];
  } finally {
    await client.end();
  }
}
