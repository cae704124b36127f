import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { AccessAdmin } from './access-admin.js';
import { AccessControl } from './access-control.js';
import { sqliteAccessStores } from './access-stores-set.js';
import { hashPassword, verifyPassword } from './password-hash.js';

const PASSWORD = 'correct horse battery';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isEmberError(error) ? error.code : String(error);
}

describe('password hashing', () => {
  it('verifies the right password only, and salts each hash', async () => {
    const cost = { N: 1 << 10, r: 8, p: 1 };
    const a = await hashPassword(PASSWORD, cost);
    const b = await hashPassword(PASSWORD, cost);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'bcrypt$x')).toBe(false);
  });
});

describe('AccessControl and AccessAdmin', () => {
  let dir: string;
  let clock: number;
  let access: AccessControl;
  let admin: AccessAdmin;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-access-control-'));
    clock = 1_000_000;
    access = new AccessControl({ stores: sqliteAccessStores(dir), sessionTtlMs: 60_000, now: () => clock });
    admin = new AccessAdmin(access, () => clock);
    await access.start();
  });
  afterEach(async () => {
    await access.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs a person in with a session that expires, and refuses wrong, unknown and disabled alike', async () => {
    const created = await admin.createUser(
      { username: 'alice', role: 'operator', password: PASSWORD },
      'cli:root',
    );
    expect(created).not.toHaveProperty('passwordHash');
    const { cookie, principal } = await access.login('alice', PASSWORD);
    expect(principal).toMatchObject({ kind: 'user', name: 'alice', role: 'operator', actor: 'alice' });
    expect(await access.sessionPrincipal(cookie)).toMatchObject({ name: 'alice', role: 'operator' });
    expect(await access.sessionPrincipal(`${cookie}x`)).toBeUndefined();
    for (const [name, password] of [
      ['alice', 'wrong password!!'],
      ['bob', PASSWORD],
    ] as const) {
      const error = await access.login(name, password).catch((e: unknown) => e);
      expect(isEmberError(error, 'EMBER_ERR_API_UNAUTHENTICATED')).toBe(true);
      expect((error as Error).message).toBe('wrong user name or password');
    }
    clock += 60_000;
    expect(await access.sessionPrincipal(cookie)).toBeUndefined();
    await admin.updateUser('alice', { disabled: true }, 'cli:root');
    expect(await codeOf(access.login('alice', PASSWORD))).toBe('EMBER_ERR_API_UNAUTHENTICATED');
  });

  it('applies a role change at once and ends sessions on a password change or removal', async () => {
    await admin.createUser({ username: 'bob', role: 'viewer', password: PASSWORD }, 'cli:root');
    const first = await access.login('bob', PASSWORD);
    await admin.updateUser('bob', { role: 'admin' }, 'cli:root');
    expect((await access.sessionPrincipal(first.cookie))?.role).toBe('admin');
    await admin.updateUser('bob', { password: 'another long password' }, 'bob');
    expect(await access.sessionPrincipal(first.cookie)).toBeUndefined();
    const second = await access.login('bob', 'another long password');
    await admin.removeUser('bob', 'cli:root');
    expect(await access.sessionPrincipal(second.cookie)).toBeUndefined();
    await access.logout(second.cookie);
  });

  it('keeps only hashes of API tokens, and refuses revoked, expired and foreign ones', async () => {
    const made = await admin.createToken({ name: 'ci', role: 'operator', expiresInDays: 1 }, 'alice');
    expect(made.token).toMatch(/^ewt_[\w-]{43}$/);
    expect(JSON.stringify(await admin.listTokens())).not.toContain(made.token.slice(4));
    expect(await access.tokenPrincipal(made.token)).toEqual({
      kind: 'token',
      name: 'ci',
      role: 'operator',
      actor: 'token:ci',
    });
    expect((await admin.listTokens())[0]?.lastUsedAt).toBe(clock);
    expect(
      await access.tokenPrincipal(made.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))),
    ).toBeUndefined();
    expect(await access.tokenPrincipal('not-a-token')).toBeUndefined();
    clock += 86_400_000;
    expect(await access.tokenPrincipal(made.token)).toBeUndefined();
    const other = await admin.createToken({ name: 'ops', role: 'viewer' }, 'alice');
    await admin.revokeToken(other.record.id, 'alice');
    expect(await access.tokenPrincipal(other.token)).toBeUndefined();
    expect(await codeOf(admin.revokeToken('nope', 'alice'))).toBe('EMBER_ERR_ACCESS_NOT_FOUND');
  });

  it('validates names, roles and passwords with one line each', async () => {
    const bad = [
      admin.createUser({ username: 'bad name', role: 'viewer', password: PASSWORD }, 'x'),
      admin.createUser({ username: 'carol', role: 'root' as 'admin', password: PASSWORD }, 'x'),
      admin.createUser({ username: 'carol', role: 'viewer', password: 'short' }, 'x'),
      admin.createToken({ name: 'ci', role: 'viewer', expiresInDays: -1 }, 'x'),
    ];
    for (const attempt of bad) expect(await codeOf(attempt)).toBe('EMBER_ERR_ACCESS_BAD_INPUT');
  });

  it('records every change in the audit log under its actor, and tells listeners', async () => {
    const heard: string[] = [];
    access.on('audit', (entry) => heard.push(entry.action));
    await admin.createUser({ username: 'dave', role: 'viewer', password: PASSWORD }, 'cli:root');
    await admin.updateUser('dave', { role: 'operator', disabled: false }, 'alice');
    await access.record('dave', 'acknowledged', 'inc-1');
    const entries = await access.auditEntries();
    expect(entries.map((e) => [e.actor, e.action, e.subject, e.detail])).toEqual([
      ['dave', 'acknowledged', 'inc-1', ''],
      ['alice', 'user-changed', 'dave', 'role operator, enabled'],
      ['cli:root', 'user-created', 'dave', 'role viewer'],
    ]);
    expect(heard).toEqual(['user-created', 'user-changed', 'acknowledged']);
  });
});
