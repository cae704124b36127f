import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError, type ErrorCode } from '../../shared/errors.js';
import type {
  AuditLog,
  SessionStore,
  TokenRecord,
  TokenStore,
  UserRecord,
  UserStore,
} from './access-stores.js';

/** A fresh, started set of stores for one test, and how to throw them away. */
export interface AccessStoresFixture {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
  dispose(): Promise<void>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  return isEmberError(error) ? error.code : `no EmberError: ${String(error)}`;
}

function user(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    username,
    role: 'viewer',
    passwordHash: `hash-of-${username}`,
    disabled: false,
    createdAt: 1000,
    updatedAt: 1000,
    ...overrides,
  };
}

function token(id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    name: `script-${id}`,
    role: 'operator',
    hash: `hash-${id}`,
    createdBy: 'cli:root',
    createdAt: 2000,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/**
 * The behaviour every adapter of the user, token, session and audit stores
 * must have: one suite, run on SQLite now and on a server database later.
 */
export function describeAccessStoresContract(name: string, make: () => Promise<AccessStoresFixture>): void {
  describe(`access stores on ${name}`, () => {
    let s: AccessStoresFixture;
    const expectCode = async (promise: Promise<unknown>, code: ErrorCode) => {
      expect(await codeOf(promise)).toBe(code);
    };

    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.dispose();
    });

    it('creates, reads, lists, updates and removes users; a taken name conflicts', async () => {
      expect(await s.users.create(user('bob', { role: 'operator' }))).toEqual(
        user('bob', { role: 'operator' }),
      );
      await s.users.create(user('alice'));
      await expectCode(s.users.create(user('alice', { role: 'admin' })), 'EMBER_ERR_ACCESS_CONFLICT');
      expect((await s.users.list()).map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(await s.users.get('carol')).toBeUndefined();
      const changed = await s.users.update('alice', { role: 'admin', disabled: true }, 5000);
      expect(changed).toEqual(user('alice', { role: 'admin', disabled: true, updatedAt: 5000 }));
      expect((await s.users.update('alice', { passwordHash: 'new' }, 6000)).disabled).toBe(true);
      expect((await s.users.get('alice'))?.passwordHash).toBe('new');
      await expectCode(s.users.update('carol', { role: 'admin' }, 1), 'EMBER_ERR_ACCESS_NOT_FOUND');
      await s.users.remove('bob');
      await expectCode(s.users.remove('bob'), 'EMBER_ERR_ACCESS_NOT_FOUND');
      expect((await s.users.list()).map((u) => u.username)).toEqual(['alice']);
    });

    it('finds tokens by hash only, records use, and revokes once', async () => {
      await s.tokens.create(token('t1'));
      await s.tokens.create(token('t2', { role: 'admin', expiresAt: 9000, createdAt: 3000 }));
      await expectCode(s.tokens.create(token('t1', { hash: 'other' })), 'EMBER_ERR_ACCESS_CONFLICT');
      await expectCode(s.tokens.create(token('t3', { hash: 'hash-t1' })), 'EMBER_ERR_ACCESS_CONFLICT');
      expect(await s.tokens.findByHash('hash-t2')).toEqual(
        token('t2', { role: 'admin', expiresAt: 9000, createdAt: 3000 }),
      );
      expect(await s.tokens.findByHash('t2')).toBeUndefined();
      await s.tokens.touch('t1', 4000);
      await s.tokens.touch('nope', 4000);
      expect((await s.tokens.findByHash('hash-t1'))?.lastUsedAt).toBe(4000);
      expect((await s.tokens.revoke('t1', 5000)).revokedAt).toBe(5000);
      expect((await s.tokens.revoke('t1', 7000)).revokedAt).toBe(5000);
      await expectCode(s.tokens.revoke('nope', 1), 'EMBER_ERR_ACCESS_NOT_FOUND');
      expect((await s.tokens.list()).map((t) => [t.id, t.revokedAt])).toEqual([
        ['t1', 5000],
        ['t2', null],
      ]);
    });

    it('keeps sessions until they expire, are removed, or their user is signed out everywhere', async () => {
      const base = { createdAt: 1000, expiresAt: 10_000 };
      await s.sessions.create({ hash: 'h1', id: 's1', username: 'alice', ...base });
      await s.sessions.create({ hash: 'h2', id: 's2', username: 'alice', ...base });
      await s.sessions.create({ hash: 'h3', id: 's3', username: 'bob', ...base, expiresAt: 5000 });
      expect(await s.sessions.findByHash('h1', 9999)).toEqual({
        hash: 'h1',
        id: 's1',
        username: 'alice',
        ...base,
      });
      expect(await s.sessions.findByHash('h1', 10_000)).toBeUndefined();
      expect(await s.sessions.findByHash('s1', 2000)).toBeUndefined();
      expect(await s.sessions.prune(5000)).toBe(1);
      expect(await s.sessions.findByHash('h3', 1)).toBeUndefined();
      await s.sessions.remove('h2');
      expect(await s.sessions.findByHash('h2', 2000)).toBeUndefined();
      await s.sessions.create({ hash: 'h4', id: 's4', username: 'alice', ...base });
      expect(await s.sessions.removeUser('alice')).toBe(2);
      expect(await s.sessions.findByHash('h4', 2000)).toBeUndefined();
    });

    it('appends audit entries and lists them newest first, in pages', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          await s.audit.append({
            ts: 1000 + i,
            actor: 'alice',
            action: 'acknowledged',
            subject: `inc-${i}`,
            detail: '',
          }),
        );
      }
      expect(new Set(made.map((e) => e.id)).size).toBe(5);
      const all = await s.audit.list();
      expect(all.map((e) => e.subject)).toEqual(['inc-4', 'inc-3', 'inc-2', 'inc-1', 'inc-0']);
      expect(all[0]).toEqual(made[4]);
      const first = await s.audit.list({ limit: 2 });
      expect(first.map((e) => e.subject)).toEqual(['inc-4', 'inc-3']);
      const next = await s.audit.list({ limit: 2, before: first[1]?.id ?? '' });
      expect(next.map((e) => e.subject)).toEqual(['inc-2', 'inc-1']);
    });

    it('refuses to work before start()', async () => {
      await s.dispose();
      await expectCode(s.users.list(), 'EMBER_ERR_NOT_STARTED');
      await expectCode(s.tokens.findByHash('x'), 'EMBER_ERR_NOT_STARTED');
      await expectCode(s.sessions.findByHash('x', 0), 'EMBER_ERR_NOT_STARTED');
      await expectCode(s.audit.list(), 'EMBER_ERR_NOT_STARTED');
      s = await make();
    });
  });
}
