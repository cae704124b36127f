import { createRequire } from 'node:module';
import type Client from 'pg-native';
import { EmberError } from '../../shared/errors.js';
import { POSTGRES_TYPES } from './postgres-types.js';

let loaded: typeof Client | undefined;

/**
 * pg-native is an optional dependency (its libpq addon needs libpq-dev to
 * build): loaded on first use, so a cloud on SQLite runs without it.
 */
function nativeClient(what: string): typeof Client {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('pg-native') as typeof Client;
    return loaded;
  } catch (error) {
    throw new EmberError(
      'EMBER_ERR_DATABASE',
      `${what}: PostgreSQL needs the pg-native package, which is not installed or did not build (apt-get install libpq-dev, then npm install): ${firstLine(error)}`,
      { cause: error },
    );
  }
}

/** A bound value: what the stores write. */
export type SqlValue = string | number | boolean | null | undefined;
type Params = readonly SqlValue[] | [Readonly<Record<string, SqlValue>>];

/** The statement shape the stores use, the same as better-sqlite3's. */
export interface SyncStatement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** The SQLSTATE behind an EMBER_ERR_DATABASE error, when the server gave one. */
export function sqlStateOfDatabaseError(error: unknown): string | undefined {
  if (!(error instanceof EmberError) || error.code !== 'EMBER_ERR_DATABASE') return undefined;
  const cause = error.cause as { sqlState?: unknown } | undefined;
  return typeof cause?.sqlState === 'string' ? cause.sqlState : undefined;
}

function text(value: SqlValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/**
 * `@name` or `?` placeholders (better-sqlite3's) → PostgreSQL's `$n`, so one
 * statement text reads the same for both databases where their SQL agrees.
 */
export function toNumberedPlaceholders(sql: string): { sql: string; names: string[] | undefined } {
  if (/@[A-Za-z_]/.test(sql)) {
    const names: string[] = [];
    const out = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      return `$${index + 1}`;
    });
    return { sql: out, names };
  }
  let n = 0;
  return { sql: sql.replace(/\?/g, () => `$${++n}`), names: undefined };
}

/**
 * One PostgreSQL connection through libpq's synchronous calls, for the
 * stores whose interface is synchronous (the incident store, as on SQLite).
 * A call blocks the event loop for one round trip, as a SQLite commit does;
 * on a local or same-zone server that is a fraction of a millisecond. The
 * connection is opened by open(), re-opened on the next call after it
 * broke, and closed by close().
 */
export class SyncPostgres {
  readonly #url: string;
  readonly #what: string;
  #client: Client | undefined;
  /** Between open() and close(): a broken connection is opened again on the next call. */
  #wanted = false;
  #depth = 0;

  constructor(url: string, what: string) {
    this.#url = url;
    this.#what = what;
  }

  open(): void {
    if (this.#client !== undefined) return;
    const NativeClient = nativeClient(this.#what);
    const client = new NativeClient({ types: POSTGRES_TYPES });
    try {
      client.connectSync(this.#url);
    } catch (error) {
      throw new EmberError(
        'EMBER_ERR_DATABASE',
        `${this.#what}: cannot connect to PostgreSQL: ${firstLine(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
    // libpq prints NOTICEs (CREATE … IF NOT EXISTS skipping) to stderr; the logs are ours to write.
    try {
      client.querySync('SET client_min_messages TO warning');
    } catch (error) {
      client.end();
      throw new EmberError(
        'EMBER_ERR_DATABASE',
        `${this.#what}: cannot configure the connection: ${firstLine(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
    this.#client = client;
    this.#wanted = true;
    this.#depth = 0;
  }

  close(): void {
    this.#wanted = false;
    this.#drop();
  }

  #drop(): void {
    this.#client?.end();
    this.#client = undefined;
  }

  get isOpen(): boolean {
    return this.#client !== undefined;
  }

  /** Runs one statement; rows (of the shape the caller names, as better-sqlite3 has it) and the count of rows it changed. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the row shape is the caller's to name
  query<R = Record<string, unknown>>(
    sql: string,
    values: readonly SqlValue[] = [],
  ): { rows: R[]; changes: number } {
    const client = this.#connected();
    try {
      // Without values: the simple protocol, which also runs several statements (migrations).
      const rows = values.length === 0 ? client.querySync(sql) : client.querySync(sql, values.map(text));
      return { rows: rows as R[], changes: Number.parseInt(client.pq.cmdTuples(), 10) || 0 };
    } catch (error) {
      const sqlState = client.pq.resultErrorFields()?.sqlState;
      // No SQLSTATE: the connection itself failed; the next call opens a new one.
      if (sqlState === undefined && this.#depth === 0) this.#drop();
      throw new EmberError('EMBER_ERR_DATABASE', `${this.#what}: ${firstLine(error)}`, {
        cause: { sqlState, error },
        retryable: sqlState === undefined || sqlState.startsWith('40'),
      });
    }
  }

  /** Runs SQL text of several statements without parameters (migrations). */
  exec(sql: string): void {
    this.query(sql);
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SyncStatement<P, R> {
    const { sql: numbered, names } = toNumberedPlaceholders(sql);
    const bind = (params: unknown[]): SqlValue[] => {
      const typed = params as unknown as Params;
      if (names === undefined) return [...(typed as readonly SqlValue[])];
      const record = (typed[0] ?? {}) as Readonly<Record<string, SqlValue>>;
      return names.map((name) => record[name]);
    };
    return {
      run: (...params) => ({ changes: this.query(numbered, bind(params)).changes }),
      get: (...params) => this.query<R>(numbered, bind(params)).rows[0],
      all: (...params) => this.query<R>(numbered, bind(params)).rows,
    };
  }

  /** Runs `work` in one transaction (joins an enclosing one); rolls back when it throws. */
  transaction<T>(work: () => T): T {
    if (this.#depth > 0) return work();
    this.query('BEGIN');
    this.#depth = 1;
    let result: T;
    try {
      result = work();
    } catch (error) {
      this.#depth = 0;
      try {
        this.query('ROLLBACK');
      } catch {
        // The connection is gone; the server rolled back with it.
      }
      throw error;
    }
    this.#depth = 0;
    this.query('COMMIT');
    return result;
  }

  #connected(): Client {
    if (this.#client === undefined && this.#wanted) this.open();
    if (this.#client === undefined)
      throw new EmberError('EMBER_ERR_NOT_STARTED', `${this.#what} is not open`);
    return this.#client;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().split('\n')[0] ?? 'unknown error';
}
