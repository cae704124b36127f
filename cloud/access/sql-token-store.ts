import { EmberError } from '../../shared/errors.js';
import type { TokenRecord, TokenStore } from './access-stores.js';
import type { Role } from './roles.js';
import { AccessHandle, type AccessWhere, isUniqueViolation, settle } from './access-tables.js';

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    hash: row.hash,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** {@link TokenStore} in the `api_tokens` table: access.sqlite, or PostgreSQL. */
export class SqlTokenStore implements TokenStore {
  readonly #handle: AccessHandle;

  /** A file or database of its own, or a connection it shares with other stores. */
  constructor(where: AccessWhere | AccessHandle) {
    this.#handle = where instanceof AccessHandle ? where : new AccessHandle(where, 'access', 'token store');
  }

  start(): Promise<void> {
    return settle(() => this.#handle.open(this));
  }

  stop(): Promise<void> {
    return settle(() => this.#handle.close(this));
  }

  create(token: TokenRecord): Promise<TokenRecord> {
    return settle(() => {
      try {
        this.#handle
          .dbOf(this)
          .prepare(
            `INSERT INTO api_tokens (id, name, role, hash, created_by, created_at, expires_at, last_used_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            token.id,
            token.name,
            token.role,
            token.hash,
            token.createdBy,
            token.createdAt,
            token.expiresAt,
            token.lastUsedAt,
            token.revokedAt,
          );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new EmberError('EMBER_ERR_ACCESS_CONFLICT', `token ${token.id} exists`);
      }
      return this.#get(token.id) ?? token;
    });
  }

  findByHash(hash: string): Promise<TokenRecord | undefined> {
    return settle(() => {
      const row = this.#handle.dbOf(this).prepare('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as
        TokenRow | undefined;
      return row === undefined ? undefined : toToken(row);
    });
  }

  list(): Promise<readonly TokenRecord[]> {
    return settle(() =>
      (
        this.#handle
          .dbOf(this)
          .prepare('SELECT * FROM api_tokens ORDER BY created_at, id')
          .all() as TokenRow[]
      ).map(toToken),
    );
  }

  touch(id: string, at: number): Promise<void> {
    return settle(() => {
      this.#handle.dbOf(this).prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
    });
  }

  revoke(id: string, at: number): Promise<TokenRecord> {
    return settle(() => {
      this.#handle
        .dbOf(this)
        .prepare('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
        .run(at, id);
      const token = this.#get(id);
      if (token === undefined) {
        throw new EmberError('EMBER_ERR_ACCESS_NOT_FOUND', `no API token with id ${JSON.stringify(id)}`);
      }
      return token;
    });
  }

  #get(id: string): TokenRecord | undefined {
    const row = this.#handle.dbOf(this).prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as
      TokenRow | undefined;
    return row === undefined ? undefined : toToken(row);
  }
}
