import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBType,
} from '@duckdb/node-api';
import { EmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import { createTableSql, sqlIdentifier, sqlString } from './feature-columns.js';
import { rowCount, type RunFeatureRows } from './run-feature-rows.js';

const TABLE = 'run_rows';

/**
 * Writes one run's rows to one Parquet file through DuckDB. Rows go in as
 * whole data chunks (values copied straight into DuckDB's vectors, not one
 * native call per cell), then one COPY writes the file and the table is
 * emptied for the next run. One writer per thread; it is not re-entrant.
 */
export class ParquetRunWriter {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #appender: DuckDBAppender;
  readonly #types: readonly DuckDBType[];
  readonly #chunkRows: number;
  readonly #Chunk: typeof DuckDBDataChunk;

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    appender: DuckDBAppender,
    types: readonly DuckDBType[],
    chunkRows: number,
    Chunk: typeof DuckDBDataChunk,
  ) {
    this.#instance = instance;
    this.#connection = connection;
    this.#appender = appender;
    this.#types = types;
    this.#chunkRows = chunkRows;
    this.#Chunk = Chunk;
  }

  /** Opens an in-memory database; `threads` bounds DuckDB's own threads (1 inside a worker). */
  static async open(threads?: number): Promise<ParquetRunWriter> {
    const duckdb = await import('@duckdb/node-api');
    const options = threads === undefined ? undefined : { threads: String(threads) };
    const instance = await duckdb.DuckDBInstance.create(':memory:', options);
    const connection = await instance.connect();
    await connection.run(createTableSql(TABLE));
    const appender = await connection.createAppender(TABLE);
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    const chunkRows = duckdb.DuckDBVector.standardSize();
    return new ParquetRunWriter(instance, connection, appender, types, chunkRows, duckdb.DuckDBDataChunk);
  }

  /** Writes `rows` to the Parquet file `path`, creating its folder. */
  async write(rows: RunFeatureRows, path: string): Promise<void> {
    const total = rowCount(rows);
    try {
      for (let start = 0; start < total; start += this.#chunkRows) {
        this.#appendChunk(rows, start, Math.min(total, start + this.#chunkRows));
      }
      this.#appender.flushSync();
      await mkdir(dirname(path), { recursive: true });
      await this.#connection.run(`COPY ${sqlIdentifier(TABLE)} TO ${sqlString(path)} (FORMAT PARQUET)`);
    } catch (error) {
      if (error instanceof EmberError) throw error;
      throw new EmberError('EMBER_ERR_FEATURES_WRITE', `${rows.runId}: ${String(error)}`, { cause: error });
    } finally {
      await this.#connection.run(`DELETE FROM ${sqlIdentifier(TABLE)}`);
    }
  }

  #appendChunk(rows: RunFeatureRows, start: number, end: number): void {
    const n = end - start;
    const total = rowCount(rows);
    const chunk = this.#Chunk.create(this.#types, n);
    const labels: ((r: number) => string | number | boolean | null)[] = [
      () => rows.runId,
      () => rows.runClass,
      () => rows.fireClass,
      () => rows.nuisance,
      () => rows.template,
      (r) => rows.t[r] ?? null,
      (r) => rows.fire[r] === 1,
      () => rows.ignitionS,
    ];
    labels.forEach((value, c) => {
      const vector = chunk.getColumnVector(c);
      for (let i = 0; i < n; i++) vector.setItem(i, value(start + i));
      vector.flush();
    });
    for (let f = 0; f < FEATURE_NAMES.length; f++) {
      const vector = chunk.getColumnVector(labels.length + f);
      const offset = f * total + start;
      for (let i = 0; i < n; i++) {
        const v = rows.values[offset + i] ?? Number.NaN;
        // NaN is "missing" in the vector; in SQL it must be NULL, or AVG and COUNT would count it.
        vector.setItem(i, Number.isNaN(v) ? null : v);
      }
      vector.flush();
    }
    this.#appender.appendDataChunk(chunk);
  }

  close(): void {
    this.#appender.closeSync();
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
