import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, JS } from '@duckdb/node-api';
import { EmberError } from '../../shared/errors.js';
import { FEATURES_PREFIX, SCHEMA_FILE, sqlString } from './feature-columns.js';

const CATALOG_FILE = 'catalog.sqlite';

/** A query's column names and its rows, batch by batch, as plain JavaScript values. */
export interface QueryRows {
  readonly columns: readonly string[];
  readonly batches: AsyncIterable<JS[][]>;
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The `features/` folder for `dir`: `dir/features`, or `dir` itself when it
 * is one. Throws EMBER_ERR_BAD_OPTION when there is none.
 */
export function resolveFeaturesFolder(dir: string): string {
  const nested = resolve(dir, FEATURES_PREFIX);
  if (isFolder(nested)) return nested;
  if (isFolder(dir) && existsSync(join(dir, SCHEMA_FILE))) return resolve(dir);
  throw new EmberError(
    'EMBER_ERR_BAD_OPTION',
    `query: no feature store in ${dir} (expected ${join(dir, FEATURES_PREFIX)}; run emberwatch features first)`,
  );
}

/** DuckDB's first line: the kind of error and what it is about, without the caret drawing. */
function duckdbMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * SQL over a feature store, locally, with DuckDB: the view `features` reads
 * every Parquet file with the hive partitions (`class`, `run`) as columns.
 * The dataset's catalog.sqlite is attached as `catalog` only when DuckDB's
 * sqlite extension is already installed; nothing is downloaded.
 */
export class FeatureQuery {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  /** Whether `catalog` is attached. */
  readonly catalog: boolean;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, catalog: boolean) {
    this.#instance = instance;
    this.#connection = connection;
    this.catalog = catalog;
  }

  static async open(featuresFolder: string): Promise<FeatureQuery> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    try {
      const files = sqlString(join(featuresFolder, '**', '*.parquet'));
      await connection.run(
        `CREATE VIEW features AS SELECT * FROM read_parquet(${files}, hive_partitioning = true, hive_types_autocast = false)`,
      );
      const catalog = await attachCatalog(connection, join(featuresFolder, '..', CATALOG_FILE));
      return new FeatureQuery(instance, connection, catalog);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw new EmberError('EMBER_ERR_FEATURES_QUERY', `query: ${duckdbMessage(error)}`, { cause: error });
    }
  }

  /** Runs `sql`; a DuckDB error (bad SQL, no files) becomes EMBER_ERR_FEATURES_QUERY with DuckDB's message. */
  async run(sql: string): Promise<QueryRows> {
    try {
      const result = await this.#connection.stream(sql);
      const batches = async function* (): AsyncGenerator<JS[][]> {
        try {
          yield* result.yieldRowsJs();
        } catch (error) {
          throw new EmberError('EMBER_ERR_FEATURES_QUERY', `query: ${duckdbMessage(error)}`, {
            cause: error,
          });
        }
      };
      return { columns: result.deduplicatedColumnNames(), batches: batches() };
    } catch (error) {
      throw new EmberError('EMBER_ERR_FEATURES_QUERY', `query: ${duckdbMessage(error)}`, { cause: error });
    }
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}

async function attachCatalog(connection: DuckDBConnection, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const reader = await connection.runAndReadAll(
    "SELECT count(*) FROM duckdb_extensions() WHERE extension_name IN ('sqlite', 'sqlite_scanner') AND installed",
  );
  const installed = reader.getRowsJS()[0]?.[0];
  if (installed === undefined || installed === 0 || installed === 0n) return false;
  await connection.run('LOAD sqlite');
  await connection.run(`ATTACH ${sqlString(path)} AS catalog (TYPE sqlite, READ_ONLY)`);
  return true;
}
