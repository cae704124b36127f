import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessControl } from '../cloud/access/access-control.js';
import { postgresAccessStores } from '../cloud/access/access-stores-set.js';
import { postgresForFile, type TestDatabase } from './helpers/postgres.js';
import { runInProcess } from './helpers/run-in-process.js';

const createDatabase = postgresForFile();

/** `emberwatch tokens` and `users` with a configuration naming a database: the workers' shared stores. */
describe('emberwatch tokens and users on the database the workers share', () => {
  let dir: string;
  let database: TestDatabase;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cli-access-pg-'));
    database = await createDatabase();
    config = join(dir, 'cloud.json');
    await writeFile(
      config,
      JSON.stringify({
        broker: { host: '127.0.0.1', caPath: 'ca.crt', certPath: 'cloud.crt', keyPath: 'cloud.key' },
        dataDir: join(dir, 'data'),
        database: database.url,
      }),
    );
  });
  afterAll(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a token and a user there, valid for any worker, and keeps no access file', async () => {
    const made = await runInProcess([
      'tokens',
      'create',
      '--name',
      'ci',
      '--role',
      'admin',
      '--config',
      config,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim().split('\n')[1] ?? '';
    const added = await runInProcess(['users', 'add', 'ann', '--role', 'viewer', '--config', config]);
    expect(added.code, added.stderr).toBe(0);
    const access = new AccessControl({ stores: postgresAccessStores(database.url) });
    await access.start();
    try {
      expect(await access.tokenPrincipal(token)).toMatchObject({ kind: 'token', name: 'ci', role: 'admin' });
      expect((await access.auditEntries()).map((e) => `${e.action} ${e.subject}`)).toEqual([
        'user-created ann',
        'token-created ci',
      ]);
    } finally {
      await access.stop();
    }
    const listed = await runInProcess(['users', 'list', '--config', config]);
    expect(listed.stdout).toMatch(/^ann {2}viewer {2}active/m);
    for (const file of ['access.sqlite', 'audit.sqlite'])
      expect(existsSync(join(dir, 'data', file)), file).toBe(false);
  });
});
