import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessControl } from '../cloud/access/access-control.js';
import { sqliteAccessStores } from '../cloud/access/access-stores-set.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

describe('emberwatch users and tokens', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cli-access-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a user with a password from standard input, who can then sign in; changes are audited', async () => {
    assertFreshBuild(['cli', 'cloud', 'factory', 'shared']);
    const added = await runCli(
      ['users', 'add', 'ann', '--role', 'operator', '--password-stdin', '--data', dir],
      new TextEncoder().encode('a password from stdin\n'),
    );
    expect(added).toMatchObject({ code: 0, stdout: 'added ann (operator)\n' });
    expect(added.stdout).not.toContain('password');
    const set = await runInProcess(['users', 'set', 'ann', '--role', 'admin', '--data', dir]);
    expect(set.stdout).toMatch(/^ann {2}admin {2}active/);
    const access = new AccessControl({ stores: sqliteAccessStores(dir) });
    await access.start();
    try {
      expect((await access.login('ann', 'a password from stdin')).principal.role).toBe('admin');
      const actions = (await access.auditEntries()).map((e) => `${e.action} ${e.subject}`);
      expect(actions).toEqual(['user-changed ann', 'user-created ann']);
      expect((await access.auditEntries())[0]?.actor).toMatch(/^cli:/);
    } finally {
      await access.stop();
    }
  });

  it('makes a token, lists it without its secret, and revokes it', async () => {
    const made = await runInProcess(['tokens', 'create', '--name', 'ci', '--role', 'viewer', '--data', dir]);
    expect(made.code).toBe(0);
    const [, token] = made.stdout.trim().split('\n');
    expect(token).toMatch(/^ewt_[\w-]{43}$/);
    const id = /created token ([0-9a-f]+) /.exec(made.stdout)?.[1] ?? '';
    const listed = await runInProcess(['tokens', 'list', '--data', dir]);
    expect(listed.stdout).toContain(`${id}  ci  viewer  active  never used`);
    expect(listed.stdout).not.toContain(token?.slice(4) ?? 'x');
    expect((await runInProcess(['tokens', 'revoke', id, '--data', dir])).stdout).toBe(`revoked ${id} (ci)\n`);
    expect((await runInProcess(['tokens', 'list', '--data', dir])).stdout).toContain(
      `${id}  ci  viewer  revoked`,
    );
  });

  it.each([
    [
      ['users', 'add', 'bob', '--role', 'root'],
      2,
      /^emberwatch users add: --role: expected viewer, operator or admin$/,
    ],
    [
      ['users', 'add', 'bad name', '--role', 'viewer'],
      2,
      /^emberwatch users add: user name: a user name is 1-64 characters/,
    ],
    [['users', 'add', 'ann', '--role', 'viewer'], 1, /^emberwatch user "ann" exists$/],
    [['users', 'set', 'ann'], 2, /nothing to change/],
    [['users', 'remove', 'nobody'], 1, /^emberwatch no user "nobody"$/],
    [['tokens', 'revoke', 'nope'], 1, /^emberwatch no API token with id "nope"$/],
    [['tokens', 'create', '--role', 'viewer'], 2, /^emberwatch tokens create: --name: is required$/],
    [['users', 'fly'], 2, /^emberwatch users: expected list, add, set or remove, got "fly"$/],
  ])('%j: exit %i with one line', async (args, code, line) => {
    const result = await runInProcess([...args, '--data', dir]);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  });
});
