import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EmberError } from '../../shared/errors.js';

/** Schema version this code writes; user_version of the database file. */
export const OUTBOX_SCHEMA_VERSION = 1;

const MIGRATIONS: readonly string[] = [
  // 1: `seq` (the rowid) is the drain order within a rank; ids are time-ordered
  // but clocks on gateways without RTC jump, so they never decide order.
  `CREATE TABLE outbox_message (
     seq        INTEGER PRIMARY KEY,
     id         TEXT    NOT NULL UNIQUE,
     rank       INTEGER NOT NULL,
     topic      TEXT    NOT NULL,
     payload    BLOB    NOT NULL,
     created_at INTEGER NOT NULL,
     attempts   INTEGER NOT NULL DEFAULT 0,
     bytes      INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX outbox_message_drain ON outbox_message (rank, seq);`,
];

/**
 * Opens (creating if needed) an outbox database and brings its schema up to
 * date. Durability settings, and why:
 * - journal_mode=WAL: a commit appends to the WAL; readers never block the writer.
 * - synchronous=FULL: every commit fsyncs the WAL before it returns, so a
 *   committed transaction survives power loss as well as kill -9. NORMAL
 *   survives kill -9 only (WAL frames may still sit in the OS cache at a
 *   power cut); SqliteOutbox switches to it for commits of acks alone.
 * - wal_autocheckpoint left at 1000 pages; checkpoints fsync before and after.
 * - journal_size_limit: the WAL is truncated back to 16 MiB after a checkpoint
 *   so a burst does not keep SD-card space forever.
 * - cache_size: 4 MiB of page cache rather than better-sqlite3's 16 MiB. The
 *   drainer reads and deletes at the front of the drain order, so a small cache
 *   drains as fast; a large one would stay resident after an outage's backlog.
 * Throws EMBER_ERR_OUTBOX_OPEN on any failure (unwritable folder, corrupt
 * file, schema newer than this code).
 */
export function openOutboxDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    db.pragma('cache_size = -4096');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof EmberError) throw error;
    throw new EmberError('EMBER_ERR_OUTBOX_OPEN', `cannot open outbox database ${path}`, { cause: error });
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > OUTBOX_SCHEMA_VERSION) {
    throw new EmberError(
      'EMBER_ERR_OUTBOX_OPEN',
      `outbox schema version ${version} is newer than this software (${OUTBOX_SCHEMA_VERSION})`,
    );
  }
  for (let next = version; next < OUTBOX_SCHEMA_VERSION; next++) {
    const step = MIGRATIONS[next];
    if (step === undefined)
      throw new EmberError('EMBER_ERR_OUTBOX_OPEN', `no migration to version ${next + 1}`);
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
}
