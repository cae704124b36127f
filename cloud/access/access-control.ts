import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import type { AuditEntry, AuditQuery, SessionRecord } from './access-stores.js';
import type { AccessStores } from './access-stores-set.js';
import { UNMATCHABLE_HASH, verifyPassword } from './password-hash.js';
import type { Role } from './roles.js';
import { API_TOKEN_PREFIX, newId, newSecret, secretHash } from './secret-token.js';

/** Who is calling: a signed-in person or an API token, with the role that decides. */
export interface Principal {
  readonly kind: 'user' | 'token';
  /** The user name, or the token's name. */
  readonly name: string;
  readonly role: Role;
  /** How the audit log names them: `alice`, `token:ci-rollouts`. */
  readonly actor: string;
  /** A signed-in browser's session id (not its secret): binds its CSRF tokens. */
  readonly sessionId?: string;
}

export interface AccessControlOptions {
  readonly stores: AccessStores;
  /** How long a sign-in lasts; 12 h by default. */
  readonly sessionTtlMs?: number;
  readonly now?: () => number;
}

export interface AccessEvents {
  audit: [entry: AuditEntry];
}

/** A token's last use is written at most this often: one write per request would be wasted fsyncs. */
const TOUCH_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;

function refused(): EmberError {
  // One answer for an unknown user, a wrong password and a disabled account: it tells a guesser nothing.
  return new EmberError('EMBER_ERR_API_UNAUTHENTICATED', 'wrong user name or password');
}

/**
 * Authentication for the API: sign-in with a password (a session whose
 * cookie holds a secret the store keeps only the hash of), API tokens
 * (likewise hashed), and the audit log that records who did what. The role
 * is read from the store on every request, so a change or a disabled
 * account takes effect at once.
 */
export class AccessControl extends EventEmitter<AccessEvents> {
  readonly #stores: AccessStores;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #pruneTimer: NodeJS.Timeout | undefined;
  #started = false;

  constructor(options: AccessControlOptions) {
    super();
    this.#stores = options.stores;
    this.#ttlMs = options.sessionTtlMs ?? 12 * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  get stores(): AccessStores {
    return this.#stores;
  }

  get sessionTtlMs(): number {
    return this.#ttlMs;
  }

  get started(): boolean {
    return this.#started;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    const { users, tokens, sessions, audit } = this.#stores;
    for (const store of [users, tokens, sessions, audit]) await store.start();
    this.#started = true;
    await sessions.prune(this.#now());
    this.#pruneTimer = setInterval(() => {
      sessions.prune(this.#now()).catch(() => undefined);
    }, PRUNE_EVERY_MS);
    this.#pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearInterval(this.#pruneTimer);
    const { users, tokens, sessions, audit } = this.#stores;
    for (const store of [audit, sessions, tokens, users]) await store.stop();
  }

  /**
   * Checks a password and opens a session. Returns the cookie value (shown
   * to the browser only) and the principal. EMBER_ERR_API_UNAUTHENTICATED
   * for any refusal, with the same message and about the same time.
   */
  async login(
    username: string,
    password: string,
  ): Promise<{ cookie: string; principal: Principal; expiresAt: number }> {
    const user = await this.#stores.users.get(username);
    const matches = await verifyPassword(password, user?.passwordHash ?? UNMATCHABLE_HASH);
    if (user === undefined || !matches || user.disabled) throw refused();
    const cookie = newSecret();
    const now = this.#now();
    const session: SessionRecord = {
      hash: secretHash(cookie),
      id: newId(),
      username: user.username,
      createdAt: now,
      expiresAt: now + this.#ttlMs,
    };
    await this.#stores.sessions.create(session);
    return {
      cookie,
      principal: this.#userPrincipal(user.username, user.role, session.id),
      expiresAt: session.expiresAt,
    };
  }

  /** Ends the session the cookie names, if any. */
  async logout(cookie: string): Promise<void> {
    await this.#stores.sessions.remove(secretHash(cookie));
  }

  /** The signed-in person behind a session cookie; undefined when unknown, expired or disabled. */
  async sessionPrincipal(cookie: string): Promise<Principal | undefined> {
    const session = await this.#stores.sessions.findByHash(secretHash(cookie), this.#now());
    if (session === undefined) return undefined;
    const user = await this.#stores.users.get(session.username);
    if (user === undefined || user.disabled) return undefined;
    return this.#userPrincipal(user.username, user.role, session.id);
  }

  /** The API token's principal; undefined when unknown, revoked or expired. */
  async tokenPrincipal(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const record = await this.#stores.tokens.findByHash(secretHash(token));
    const now = this.#now();
    if (record === undefined || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= now) return undefined;
    if (record.lastUsedAt === null || now - record.lastUsedAt >= TOUCH_EVERY_MS) {
      await this.#stores.tokens.touch(record.id, now);
    }
    return { kind: 'token', name: record.name, role: record.role, actor: `token:${record.name}` };
  }

  /** Appends to the audit log and tells listeners (the dashboard's live view). */
  async record(actor: string, action: string, subject: string, detail = ''): Promise<AuditEntry> {
    const entry = await this.#stores.audit.append({ ts: this.#now(), actor, action, subject, detail });
    this.emit('audit', entry);
    return entry;
  }

  auditEntries(query?: AuditQuery): Promise<readonly AuditEntry[]> {
    return this.#stores.audit.list(query);
  }

  #userPrincipal(name: string, role: Role, sessionId: string): Principal {
    return { kind: 'user', name, role, actor: name, sessionId };
  }
}
