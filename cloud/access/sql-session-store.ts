import type { SessionRecord, SessionStore } from './access-stores.js';
import { AccessHandle, type AccessWhere, settle } from './access-tables.js';

interface SessionRow {
  hash: string;
  id: string;
  username: string;
  created_at: number;
  expires_at: number;
}

/** {@link SessionStore} in the `sessions` table: access.sqlite, or PostgreSQL. */
export class SqlSessionStore implements SessionStore {
  readonly #handle: AccessHandle;

  /** A file or database of its own, or a connection it shares with other stores. */
  constructor(where: AccessWhere | AccessHandle) {
    this.#handle = where instanceof AccessHandle ? where : new AccessHandle(where, 'access', 'session store');
  }

  start(): Promise<void> {
    return settle(() => this.#handle.open(this));
  }

  stop(): Promise<void> {
    return settle(() => this.#handle.close(this));
  }

  create(session: SessionRecord): Promise<void> {
    return settle(() => {
      this.#handle
        .dbOf(this)
        .prepare('INSERT INTO sessions (hash, id, username, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(session.hash, session.id, session.username, session.createdAt, session.expiresAt);
    });
  }

  findByHash(hash: string, now: number): Promise<SessionRecord | undefined> {
    return settle(() => {
      const row = this.#handle
        .dbOf(this)
        .prepare('SELECT * FROM sessions WHERE hash = ? AND expires_at > ?')
        .get(hash, now) as SessionRow | undefined;
      if (row === undefined) return undefined;
      return {
        hash: row.hash,
        id: row.id,
        username: row.username,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    });
  }

  remove(hash: string): Promise<void> {
    return settle(() => {
      this.#handle.dbOf(this).prepare('DELETE FROM sessions WHERE hash = ?').run(hash);
    });
  }

  removeUser(username: string): Promise<number> {
    return settle(
      () => this.#handle.dbOf(this).prepare('DELETE FROM sessions WHERE username = ?').run(username).changes,
    );
  }

  prune(now: number): Promise<number> {
    return settle(
      () => this.#handle.dbOf(this).prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes,
    );
  }
}
