import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { openCatalog } from './open-catalog.js';

describe('openCatalog', () => {
  let folder: string;
  const open: Database.Database[] = [];

  function track(db: Database.Database): Database.Database {
    open.push(db);
    return db;
  }

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ember-catalog-'));
  });

  afterEach(async () => {
    for (const db of open.splice(0)) if (db.open) db.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('creates the file and its folders, in WAL mode with FULL sync and foreign keys on', () => {
    const db = track(openCatalog(join(folder, 'nested', 'deeper', 'catalog.db')));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('creates the file and its WAL owner-only whatever the umask', () => {
    const previous = process.umask(0o022);
    try {
      const file = join(folder, 'private.db');
      const db = track(openCatalog(file));
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-shm`).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('uses NORMAL sync and a custom busy timeout when asked', () => {
    const db = track(openCatalog(join(folder, 'c.db'), { synchronous: 'NORMAL', busyTimeoutMs: 250 }));
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
  });

  it('enforces foreign keys', () => {
    const db = track(openCatalog(join(folder, 'c.db')));
    db.exec(
      'CREATE TABLE run (id TEXT PRIMARY KEY); CREATE TABLE file (run_id TEXT NOT NULL REFERENCES run(id))',
    );
    expect(() => db.prepare('INSERT INTO file (run_id) VALUES (?)').run('missing')).toThrow(/FOREIGN KEY/);
  });

  it('lets a reader see committed data while a writer holds its transaction open', () => {
    const file = join(folder, 'c.db');
    const writer = track(openCatalog(file));
    writer.exec('CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)');
    const reader = track(openCatalog(file, { busyTimeoutMs: 0 }));
    writer.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (2)');
    expect(reader.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    writer.exec('COMMIT');
    expect(reader.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });

  it('keeps committed rows across a close and reopen', () => {
    const file = join(folder, 'c.db');
    const first = openCatalog(file);
    first.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept')");
    first.close();
    const second = track(openCatalog(file));
    expect(second.prepare('SELECT v FROM t').pluck().get()).toBe('kept');
  });

  it('reports a file that is not a database with EMBER_ERR_CATALOG_OPEN', async () => {
    const file = join(folder, 'not-a.db');
    await writeFile(
      file,
      'this is not a SQLite database, just text that is long enough to fill a header'.repeat(20),
    );
    let error: unknown;
    try {
      track(openCatalog(file));
    } catch (caught) {
      error = caught;
    }
    expect(isEmberError(error, 'EMBER_ERR_CATALOG_OPEN')).toBe(true);
    expect(String(error)).toContain(file);
  });

  it('reports a path it cannot create with EMBER_ERR_CATALOG_OPEN', async () => {
    const blocker = join(folder, 'file');
    await writeFile(blocker, 'x');
    expect(() => track(openCatalog(join(blocker, 'c.db')))).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_CATALOG_OPEN' }),
    );
  });
});
