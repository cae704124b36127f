import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../shared/catalog/index.js';
import { describeLearningStoreContract } from './learning-store.contract.js';
import { LearningStore } from './learning-store.js';
import { SQLITE_LEARNING_MIGRATIONS } from './learning-schema.js';

describeLearningStoreContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ember-learning-store-'));
  return {
    where: { databaseFile: join(folder, 'learning.sqlite') },
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});

describe('LearningStore on a SQLite file of before the queue', () => {
  it('keeps its decisions and gains the queue and the owed retrainings', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ember-learning-v1-'));
    try {
      const file = join(folder, 'learning.sqlite');
      const first = SQLITE_LEARNING_MIGRATIONS[0] ?? expect.fail('no first migration');
      const old = openCatalog(file, { migrations: [first] });
      old
        .prepare(
          `INSERT INTO decisions (id, ts, incident_id, device_id, outcome, action, explanation, details, pattern)
           VALUES ('d-old', 1, 'inc-1', 'gw-1', 'false-alarm', 'adjust-rules', 'raised', '{}', 'co')`,
        )
        .run();
      old.close();
      const store = LearningStore.open(file);
      try {
        expect(store.decisions().map((d) => d.id)).toEqual(['d-old']);
        expect(store.falseAlarms(0)).toEqual([{ deviceId: 'gw-1', ts: 1, pattern: 'co' }]);
        expect(store.owedRetrains()).toEqual([]);
        expect(store.queued()).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
