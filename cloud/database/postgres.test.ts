import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { startTestPostgres, type TestDatabase, type TestPostgres } from '../../test/helpers/postgres.js';
import { PostgresChannel, type ChannelMessage } from './postgres-channel.js';
import { migratePostgres } from './postgres-migrate.js';
import { SyncPostgres, sqlStateOfDatabaseError, toNumberedPlaceholders } from './sync-postgres.js';

let server: TestPostgres;
let database: TestDatabase;
let db: SyncPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 90_000);

afterAll(async () => {
  await server.stop();
});

beforeEach(async () => {
  database = await server.createDatabase();
  db = new SyncPostgres(database.url, 'test store');
  db.open();
});

afterEach(async () => {
  db.close();
  await database.drop();
});

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return isEmberError(error) ? error.code : String(error);
  }
  return 'no error';
}

const TWO = [
  { version: 1, up: 'CREATE TABLE a (x INTEGER)' },
  { version: 2, up: 'CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (7)' },
];

describe('migratePostgres', () => {
  it('applies migrations in order once, and only the new ones on the next start', () => {
    expect(migratePostgres(db, 'demo', TWO.slice(0, 1))).toEqual({ from: 0, to: 1, applied: [1] });
    expect(migratePostgres(db, 'demo', TWO)).toEqual({ from: 1, to: 2, applied: [2] });
    expect(migratePostgres(db, 'demo', TWO)).toEqual({ from: 2, to: 2, applied: [] });
    expect(db.query<{ y: number }>('SELECT y FROM b').rows).toEqual([{ y: 7 }]);
  });

  it('keeps each component at its own version', () => {
    migratePostgres(db, 'one', TWO);
    expect(migratePostgres(db, 'two', [{ version: 1, up: 'CREATE TABLE c (z INTEGER)' }]).applied).toEqual([
      1,
    ]);
    const rows = db.query('SELECT component, version FROM ember_schema ORDER BY component, version').rows;
    expect(rows).toEqual([
      { component: 'one', version: 1 },
      { component: 'one', version: 2 },
      { component: 'two', version: 1 },
    ]);
  });

  it('rolls a failed run back whole, naming the component and version', () => {
    let message = '';
    try {
      migratePostgres(db, 'demo', [...TWO, { version: 3, up: 'CREATE TABLE a (again INTEGER)' }]);
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_CATALOG_MIGRATION')).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^demo: migration 3 failed: .*"a" already exists/);
    expect(db.query("SELECT to_regclass('a') AS a").rows).toEqual([{ a: null }]);
    expect(migratePostgres(db, 'demo', TWO).applied).toEqual([1, 2]);
  });

  it('refuses versions out of order and a database newer than it knows', () => {
    const unordered = [
      { version: 2, up: 'SELECT 2' },
      { version: 1, up: 'SELECT 1' },
    ];
    expect(codeOf(() => migratePostgres(db, 'demo', unordered))).toBe('EMBER_ERR_CATALOG_MIGRATION');
    migratePostgres(db, 'demo', TWO);
    expect(codeOf(() => migratePostgres(db, 'demo', TWO.slice(0, 1)))).toBe('EMBER_ERR_CATALOG_TOO_NEW');
  });
});

describe('SyncPostgres', () => {
  it('binds named and positional parameters as better-sqlite3 does', () => {
    expect(toNumberedPlaceholders('SELECT @a, @b, @a')).toEqual({
      sql: 'SELECT $1, $2, $1',
      names: ['a', 'b'],
    });
    expect(toNumberedPlaceholders('SELECT ?, ?')).toEqual({ sql: 'SELECT $1, $2', names: undefined });
    const named = db.prepare<[{ a: number; b: string | null }], { a: number; b: string | null }>(
      'SELECT @a::bigint AS a, @b::text AS b',
    );
    expect(named.get({ a: 1_700_000_000_000, b: null })).toEqual({ a: 1_700_000_000_000, b: null });
    const positional = db.prepare<[string], { s: string }>('SELECT ?::text AS s');
    expect(positional.all("it's")).toEqual([{ s: "it's" }]);
  });

  it('rolls a transaction back when its work throws, and counts changed rows', () => {
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    expect(() =>
      db.transaction(() => {
        db.query('INSERT INTO t VALUES (1)');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.query('SELECT count(*) AS n FROM t').rows).toEqual([{ n: 0 }]);
    db.transaction(() => db.query('INSERT INTO t VALUES (1), (2)'));
    expect(db.prepare('DELETE FROM t').run().changes).toBe(2);
  });

  it('gives a statement error a one-line EMBER_ERR_DATABASE naming the store', () => {
    let error: unknown;
    try {
      db.query('SELECT * FROM missing_table');
    } catch (caught) {
      error = caught;
    }
    expect(isEmberError(error, 'EMBER_ERR_DATABASE')).toBe(true);
    expect((error as Error).message).toMatch(/^test store: .*"missing_table" does not exist$/);
    expect(sqlStateOfDatabaseError(error)).toBe('42P01');
  });

  it('reports a server it cannot reach, and reconnects after the server drops its connection', async () => {
    const nowhere = new SyncPostgres(
      'postgresql://ember@/postgres?host=/nonexistent-folder',
      'nowhere store',
    );
    expect(() => nowhere.open()).toThrow(/^nowhere store: cannot connect to PostgreSQL: /);

    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        database.name,
      ]);
    } finally {
      await admin.end();
    }
    expect(codeOf(() => db.query('SELECT 1'))).toBe('EMBER_ERR_DATABASE');
    expect(db.query<{ one: number }>('SELECT 1 AS one').rows).toEqual([{ one: 1 }]);
  });
});

describe('PostgresChannel', () => {
  async function until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("carries one worker's messages to the others, not back to itself, and again after the server drops it", async () => {
    const [a, b] = [0, 1].map(() => new PostgresChannel({ url: database.url, channel: 'ember_test' }));
    if (a === undefined || b === undefined) throw new Error('two channels');
    const got = { a: [] as ChannelMessage[], b: [] as ChannelMessage[] };
    a.on('message', (m) => got.a.push(m));
    b.on('message', (m) => got.b.push(m));
    await a.start();
    await b.start();
    try {
      a.publish({ type: 'incident', id: 'i-1' });
      await until('the first message at b', () => got.b.length === 1);
      expect(got).toEqual({ a: [], b: [{ type: 'incident', id: 'i-1' }] });

      const admin = new pg.Client({ connectionString: server.url() });
      await admin.connect();
      try {
        const ended = await admin.query<{ n: number }>(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1',
          [database.name],
        );
        // Both channels' connections (and this test's SyncPostgres).
        expect(ended.rows[0]?.n).toBeGreaterThanOrEqual(2);
      } finally {
        await admin.end();
      }
      // Until both listen again, messages may be dropped: keep sending until one gets through.
      await until('a message after the reconnect', () => {
        a.publish({ type: 'incident', id: 'i-2' });
        return got.b.some((m) => m['id'] === 'i-2');
      });
      expect(got.a).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 30_000);

  it('refuses a channel name that is not a plain identifier', () => {
    expect(codeOf(() => new PostgresChannel({ url: database.url, channel: 'x; DROP TABLE y' }))).toBe(
      'EMBER_ERR_DATABASE',
    );
  });
});
