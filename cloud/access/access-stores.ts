import type { Role } from './roles.js';

/*
 * The stores behind authentication and the audit log. Each is a small
 * interface with one contract suite (access-stores.contract.ts) that every
 * adapter passes: sql-*.ts, over a SQLite file or PostgreSQL. Methods
 * return promises so that an adapter over the network fits the same shape.
 * Errors: EMBER_ERR_ACCESS_CONFLICT for a name already taken,
 * EMBER_ERR_ACCESS_NOT_FOUND for an unknown one.
 */

/** A person who signs in to the dashboard. */
export interface UserRecord {
  readonly username: string;
  readonly role: Role;
  /** password-hash.ts's encoded scrypt hash; never leaves the cloud. */
  readonly passwordHash: string;
  readonly disabled: boolean;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UserChanges {
  readonly role?: Role;
  readonly passwordHash?: string;
  readonly disabled?: boolean;
}

/** People, by user name. */
export interface UserStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** EMBER_ERR_ACCESS_CONFLICT when the name is taken. */
  create(user: UserRecord): Promise<UserRecord>;
  get(username: string): Promise<UserRecord | undefined>;
  /** By user name. */
  list(): Promise<readonly UserRecord[]>;
  /** EMBER_ERR_ACCESS_NOT_FOUND for an unknown user. */
  update(username: string, changes: UserChanges, at: number): Promise<UserRecord>;
  /** EMBER_ERR_ACCESS_NOT_FOUND for an unknown user. */
  remove(username: string): Promise<void>;
}

/** An API token for scripts. Only the SHA-256 of its secret is kept. */
export interface TokenRecord {
  readonly id: string;
  /** What it is for, e.g. `ci-rollouts`; shown in the audit log as `token:<name>`. */
  readonly name: string;
  readonly role: Role;
  readonly hash: string;
  /** Who made it (an actor name). */
  readonly createdBy: string;
  readonly createdAt: number;
  /** null: never expires. */
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface TokenStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** EMBER_ERR_ACCESS_CONFLICT when the id or hash exists. */
  create(token: TokenRecord): Promise<TokenRecord>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  /** Oldest first, revoked ones included. */
  list(): Promise<readonly TokenRecord[]>;
  /** Records a use; unknown ids are ignored. */
  touch(id: string, at: number): Promise<void>;
  /** EMBER_ERR_ACCESS_NOT_FOUND for an unknown id; revoking twice keeps the first time. */
  revoke(id: string, at: number): Promise<TokenRecord>;
}

/** A signed-in browser. The cookie holds a secret; the store keeps its SHA-256 only. */
export interface SessionRecord {
  readonly hash: string;
  /** A short id naming the session in logs and binding its CSRF tokens; not a secret. */
  readonly id: string;
  readonly username: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface SessionStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  create(session: SessionRecord): Promise<void>;
  /** undefined when unknown or expired at `now`. */
  findByHash(hash: string, now: number): Promise<SessionRecord | undefined>;
  remove(hash: string): Promise<void>;
  /** Ends every session of a user (password changed, disabled, removed); returns how many. */
  removeUser(username: string): Promise<number>;
  /** Deletes sessions expired at `now`; returns how many. */
  prune(now: number): Promise<number>;
}

/** One thing a person, token or the system did. */
export interface AuditEntry {
  readonly id: string;
  readonly ts: number;
  /** `alice`, `token:ci-rollouts`, `cli:root`, `system:demo`. */
  readonly actor: string;
  /** acknowledged, resolved, thresholds-changed, approved, rejected, rollout-started, user-created… */
  readonly action: string;
  /** What it was done to: an incident id, a model version, a device, a user name. */
  readonly subject: string;
  /** One sentence, e.g. `outcome false-alarm: steam from the shower`. */
  readonly detail: string;
}

export interface AuditQuery {
  /** 1-1000; 100 by default. */
  readonly limit?: number;
  /** Only entries strictly older than this id (paging back). */
  readonly before?: string;
}

/** Append-only: nothing is ever changed or deleted through this interface. */
export interface AuditLog {
  start(): Promise<void>;
  stop(): Promise<void>;
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<readonly AuditEntry[]>;
}
