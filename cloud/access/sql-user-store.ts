import { EmberError } from '../../shared/errors.js';
import type { UserChanges, UserRecord, UserStore } from './access-stores.js';
import type { Role } from './roles.js';
import { AccessHandle, type AccessWhere, isUniqueViolation, settle } from './access-tables.js';

interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

function toUser(row: UserRow): UserRecord {
  return {
    username: row.username,
    role: row.role,
    passwordHash: row.password_hash,
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function notFound(username: string): EmberError {
  return new EmberError('EMBER_ERR_ACCESS_NOT_FOUND', `no user ${JSON.stringify(username)}`);
}

/** {@link UserStore} in the `users` table: access.sqlite, or PostgreSQL. */
export class SqlUserStore implements UserStore {
  readonly #handle: AccessHandle;

  /** A file or database of its own, or a connection it shares with other stores. */
  constructor(where: AccessWhere | AccessHandle) {
    this.#handle = where instanceof AccessHandle ? where : new AccessHandle(where, 'access', 'user store');
  }

  start(): Promise<void> {
    return settle(() => this.#handle.open(this));
  }

  stop(): Promise<void> {
    return settle(() => this.#handle.close(this));
  }

  create(user: UserRecord): Promise<UserRecord> {
    return settle(() => {
      try {
        this.#handle
          .dbOf(this)
          .prepare(
            'INSERT INTO users (username, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(
            user.username,
            user.role,
            user.passwordHash,
            user.disabled ? 1 : 0,
            user.createdAt,
            user.updatedAt,
          );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new EmberError('EMBER_ERR_ACCESS_CONFLICT', `user ${JSON.stringify(user.username)} exists`);
      }
      return this.#get(user.username) ?? user;
    });
  }

  get(username: string): Promise<UserRecord | undefined> {
    return settle(() => this.#get(username));
  }

  list(): Promise<readonly UserRecord[]> {
    return settle(() =>
      (this.#handle.dbOf(this).prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(
        toUser,
      ),
    );
  }

  update(username: string, changes: UserChanges, at: number): Promise<UserRecord> {
    return settle(() => {
      const current = this.#get(username);
      if (current === undefined) throw notFound(username);
      this.#handle
        .dbOf(this)
        .prepare(
          'UPDATE users SET role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE username = ?',
        )
        .run(
          changes.role ?? current.role,
          changes.passwordHash ?? current.passwordHash,
          (changes.disabled ?? current.disabled) ? 1 : 0,
          at,
          username,
        );
      return this.#get(username) ?? current;
    });
  }

  remove(username: string): Promise<void> {
    return settle(() => {
      const { changes } = this.#handle
        .dbOf(this)
        .prepare('DELETE FROM users WHERE username = ?')
        .run(username);
      if (changes === 0) throw notFound(username);
    });
  }

  #get(username: string): UserRecord | undefined {
    const row = this.#handle.dbOf(this).prepare('SELECT * FROM users WHERE username = ?').get(username) as
      UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }
}
