import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeModelRegistryContract,
  type RegistryCatalogFixture,
} from '../../factory/registry/model-registry.contract.js';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { fakeRegistration } from '../../factory/registry/registry-fixtures.test-helper.js';
import { describeRegistryLockContract } from '../../factory/registry/registry-locks.contract.js';
import { FolderStore } from '../../shared/object-store/index.js';
import { postgresForFile, queryRows, type TestDatabase } from '../../test/helpers/postgres.js';
import { modelRecord } from '../../factory/registry/registry-objects.js';
import { openPostgresRegistryCatalog, postgresRegistryCatalog } from './postgres-registry-catalog.js';

const createDatabase = postgresForFile();

/** One database per catalogue name: the contract's "another catalogue" is another database. */
function postgresCatalogs(): Promise<RegistryCatalogFixture> {
  const databases = new Map<string, Promise<TestDatabase>>();
  return Promise.resolve({
    home: async (name) => {
      let database = databases.get(name);
      if (database === undefined) {
        database = createDatabase();
        databases.set(name, database);
      }
      return postgresRegistryCatalog((await database).url);
    },
    dispose: async () => {
      for (const database of databases.values()) await (await database).drop();
    },
  });
}

async function folderStore(): Promise<{ store: FolderStore; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'ember-registry-store-'));
  return { store: new FolderStore(root), dispose: () => rm(root, { recursive: true, force: true }) };
}

describeModelRegistryContract(
  'a folder store with its catalogue in PostgreSQL',
  folderStore,
  postgresCatalogs,
);
describeRegistryLockContract('PostgreSQL', postgresCatalogs);

describe('two workers with one registry catalogue in PostgreSQL', () => {
  let database: TestDatabase;
  let storage: Awaited<ReturnType<typeof folderStore>>;
  const started: ModelRegistry[] = [];

  async function worker(): Promise<ModelRegistry> {
    const registry = new ModelRegistry({
      store: storage.store,
      catalog: postgresRegistryCatalog(database.url),
    });
    await registry.start();
    started.push(registry);
    return registry;
  }

  beforeEach(async () => {
    database = await createDatabase();
    storage = await folderStore();
  });

  afterEach(async () => {
    for (const registry of started.splice(0)) await registry.stop();
    await database.drop();
    await storage.dispose();
  });

  it("sees the other worker's registrations and decisions at once, with no rebuild", async () => {
    // The database holds the other stores' tables too: the learning store has a `decisions` of its own.
    await queryRows(database.url, 'CREATE TABLE decisions (pattern TEXT PRIMARY KEY)');
    const [one, two] = [await worker(), await worker()];
    await one.register(fakeRegistration('v1', { day: 1 }));
    expect((await two.list()).map((m) => [m.version, m.status])).toEqual([['v1', 'candidate']]);
    await two.approve('v1', { by: 'alice', reason: 'approved on the second worker' });
    expect((await one.current())?.version).toBe('v1');
    await one.register(fakeRegistration('v2', { day: 2 }));
    const { decision } = await two.decide('v2', {}, { by: 'gate-bot' });
    expect(decision).toMatchObject({ to: 'approved', from: 'candidate' });
    expect((await one.current())?.version).toBe('v2');
    expect((await one.show('v2')).decisions.map((d) => d.by)).toEqual(['gate-bot']);
    // One catalogue in the database, no file: the rows are there for a third worker to read.
    const rows = await queryRows<{ version: string; status: string }>(
      database.url,
      'SELECT version, status FROM registry_models ORDER BY version',
    );
    expect(rows).toEqual([
      { version: 'v1', status: 'approved' },
      { version: 'v2', status: 'approved' },
    ]);
    const schema = await queryRows<{ version: number }>(
      database.url,
      "SELECT version FROM ember_schema WHERE component = 'registry'",
    );
    expect(schema).toEqual([{ version: 1 }]);
  });

  it('fills a new database from the store when a worker creates its tables', async () => {
    // Models registered before the cloud moved to PostgreSQL, with a SQLite catalogue of their own.
    const folder = await mkdtemp(join(tmpdir(), 'ember-registry-old-'));
    const before = new ModelRegistry({ store: storage.store, catalogFile: join(folder, 'old.sqlite') });
    await before.start();
    await before.register(fakeRegistration('v1'));
    await before.approve('v1', { by: 'alice', reason: 'in service before the move' });
    await before.stop();
    await rm(folder, { recursive: true });
    const [one, two] = await Promise.all([worker(), worker()]);
    expect((await one.current())?.version).toBe('v1');
    expect((await two.show('v1')).decisions.map((d) => d.by)).toEqual(['alice']);
    const decisions = await queryRows<{ n: string }>(
      database.url,
      'SELECT count(*) AS n FROM registry_decisions',
    );
    expect(decisions).toEqual([{ n: '1' }]);
  });

  it('fills a new catalogue without removing what another worker added meanwhile', () => {
    const { catalog, fresh } = openPostgresRegistryCatalog(database.url);
    try {
      expect(fresh).toBe(true);
      const entry = (version: string) => {
        const offer = fakeRegistration(version);
        return { record: modelRecord(offer.manifest, offer.evaluation, []), decisions: [] };
      };
      const added = entry('v9');
      catalog.addModel(added.record, [], []);
      // What the filling worker read from the store before v9 was registered.
      const snapshot = { models: [entry('v1')], experiments: [] };
      catalog.replaceAll(snapshot, true);
      expect(catalog.models().map((m) => m.version)).toEqual(['v9', 'v1']);
      catalog.replaceAll(snapshot);
      expect(catalog.models().map((m) => m.version)).toEqual(['v1']);
    } finally {
      catalog.close();
    }
  });
});
