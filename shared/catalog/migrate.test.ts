import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError, type ErrorCode } from '../errors.js';
import { migrate, schemaVersion, type Migration } from './migrate.js';
import { openCatalog } from './open-catalog.js';

const V1: Migration = {
  version: 1,
  up: 'CREATE TABLE run (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)',
};
const V2: Migration = {
  version: 2,
  up: `CREATE TABLE file (run_id TEXT NOT NULL REFERENCES run(id), key TEXT NOT NULL, PRIMARY KEY (run_id, key));
       CREATE INDEX file_by_key ON file (key);`,
};

function tableNames(db: Database.Database): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectCode(error: unknown, code: ErrorCode): void {
  expect(isEmberError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

describe('migrate', () => {
  let folder: string;
  let file: string;
  const open: Database.Database[] = [];

  function openTracked(migrations?: readonly Migration[]): Database.Database {
    const db = openCatalog(file, migrations === undefined ? {} : { migrations });
    open.push(db);
    return db;
  }

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ember-migrate-'));
    file = join(folder, 'catalog.db');
  });

  afterEach(async () => {
    for (const db of open.splice(0)) if (db.open) db.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('applies every migration once and records the version', () => {
    const db = openTracked();
    expect(migrate(db, [V1, V2])).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(schemaVersion(db)).toBe(2);
    expect(tableNames(db)).toEqual(['file', 'run']);
    expect(migrate(db, [V1, V2])).toEqual({ from: 2, to: 2, applied: [] });
  });

  it('is idempotent across reopening, and keeps the data', () => {
    const first = openTracked([V1, V2]);
    first.prepare('INSERT INTO run VALUES (?, ?)').run('r1', 1);
    first.close();
    const second = openTracked([V1, V2]);
    expect(schemaVersion(second)).toBe(2);
    expect(second.prepare('SELECT id FROM run').pluck().all()).toEqual(['r1']);
  });

  it('applies only the migrations added since the last run', () => {
    openTracked([V1]).close();
    const db = openTracked();
    const v3: Migration = { version: 3, up: 'ALTER TABLE run ADD COLUMN label TEXT' };
    expect(migrate(db, [V1, V2, v3])).toEqual({ from: 1, to: 3, applied: [2, 3] });
  });

  it('rolls a failed migration back completely and leaves the version at the last success', () => {
    const db = openTracked([V1, V2]);
    db.prepare('INSERT INTO run VALUES (?, ?)').run('r1', 1);
    const broken: Migration = {
      version: 3,
      up: 'CREATE TABLE half_done (x INTEGER); DELETE FROM run; THIS IS NOT SQL;',
    };
    const error = caught(() => migrate(db, [V1, V2, broken]));
    expectCode(error, 'EMBER_ERR_CATALOG_MIGRATION');
    expect(String(error)).toContain('migration 3');
    expect(schemaVersion(db)).toBe(2);
    expect(tableNames(db)).toEqual(['file', 'run']);
    expect(db.prepare('SELECT id FROM run').pluck().all()).toEqual(['r1']);
    expect(db.inTransaction).toBe(false);
  });

  it('refuses a migration that leaves foreign keys dangling', () => {
    const db = openTracked([V1, V2]);
    db.prepare('INSERT INTO run VALUES (?, ?)').run('r1', 1);
    db.prepare('INSERT INTO file VALUES (?, ?)').run('r1', 'k');
    // With deferred checks the delete itself succeeds; only the check before commit sees the orphans.
    const orphaning: Migration = { version: 3, up: 'PRAGMA defer_foreign_keys = ON; DELETE FROM run' };
    const error = caught(() => migrate(db, [V1, V2, orphaning]));
    expectCode(error, 'EMBER_ERR_CATALOG_MIGRATION');
    expect(String(error)).toContain('1 foreign key violation');
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT count(*) FROM run').pluck().get()).toBe(1);
  });

  it('refuses versions that are not increasing positive integers, touching nothing', () => {
    const db = openTracked();
    for (const migrations of [
      [{ ...V1, version: 0 }],
      [V2, V1],
      [V1, { ...V2, version: 1 }],
      [{ ...V1, version: 1.5 }],
    ]) {
      expectCode(
        caught(() => migrate(db, migrations)),
        'EMBER_ERR_CATALOG_MIGRATION',
      );
    }
    expect(schemaVersion(db)).toBe(0);
    expect(tableNames(db)).toEqual([]);
  });

  it('refuses a database newer than the migrations it is given', () => {
    openTracked([V1, V2]).close();
    expectCode(
      caught(() => openTracked([V1])),
      'EMBER_ERR_CATALOG_TOO_NEW',
    );
  });

  it('reports a write lock held too long as a retryable failure', () => {
    const holder = openTracked();
    const waiter = openCatalog(file, { busyTimeoutMs: 20 });
    open.push(waiter);
    holder.exec('BEGIN IMMEDIATE');
    const error = caught(() => migrate(waiter, [V1]));
    expectCode(error, 'EMBER_ERR_CATALOG_MIGRATION');
    expect(isEmberError(error) && error.retryable).toBe(true);
    holder.exec('ROLLBACK');
    expect(migrate(waiter, [V1]).applied).toEqual([1]);
  });
});
