import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EmberError } from '../errors.js';
import { migrate, type Migration } from './migrate.js';

/**
 * How hard SQLite works to keep commits across a power cut. In WAL mode both
 * survive a crashed or killed process and never corrupt the file; they differ
 * only when the power goes: NORMAL may lose the last commits (the WAL is not
 * synced on each one), FULL loses none at the cost of one fsync per commit.
 */
export type Synchronous = 'FULL' | 'NORMAL';

export interface OpenCatalogOptions {
  /**
   * FULL by default: the edge outbox promises that an acknowledged message
   * survives a power cut, and the catalogues commit too rarely for the fsync
   * to matter. Choose NORMAL only for data that can be rebuilt.
   */
  synchronous?: Synchronous;
  /** How long to wait for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Applied with {@link migrate} before the database is returned. */
  migrations?: readonly Migration[];
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

function configure(db: Database.Database, options: OpenCatalogOptions): void {
  const journal: unknown = db.pragma('journal_mode = WAL', { simple: true });
  // An in-memory database answers 'memory'; anything else means WAL was refused.
  if (journal !== 'wal' && !(db.memory && journal === 'memory')) {
    throw new Error(`journal_mode is ${String(journal)}, not wal`);
  }
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
}

/**
 * Opens (creating it, owner-only, and its folder if needed) a SQLite database in WAL mode
 * with foreign keys enforced, and migrates its schema. Synchronous I/O: call it
 * from a component's start(), not from a constructor.
 */
export function openCatalog(file: string, options: OpenCatalogOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true });
      // Created owner-only before SQLite opens it: its -wal and -shm files copy the mode.
      closeSync(openSync(file, 'a', 0o600));
    }
    db = new Database(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw openError(file, error);
  }
  try {
    configure(db, options);
    if (options.migrations !== undefined) migrate(db, options.migrations);
  } catch (error) {
    db.close();
    throw error instanceof EmberError ? error : openError(file, error);
  }
  return db;
}

function openError(file: string, error: unknown): EmberError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EmberError('EMBER_ERR_CATALOG_OPEN', `cannot open database ${file}: ${reason}`, {
    cause: error,
  });
}
