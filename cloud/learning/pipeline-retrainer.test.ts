import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import { FolderStore } from '../../shared/object-store/index.js';
import { generateDataset } from '../../simulators/generate/generate-dataset.js';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { appendFieldWindow } from './field-data.js';
import { PipelineRetrainer } from './pipeline-retrainer.js';

describe('PipelineRetrainer', () => {
  let dir: string;
  let registry: ModelRegistry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-retrain-'));
    for (const [name, seed] of [
      ['train', 11],
      ['heldout', 900011],
    ] as const) {
      const store = new FolderStore(join(dir, name));
      await generateDataset({
        store,
        runs: 6,
        seed,
        mix: { fire: 0.5, nuisance: 0.5 },
        durationS: 240,
        thermalHz: 1,
        workers: 0,
      });
      await store.close();
    }
    registry = new ModelRegistry({
      store: new FolderStore(join(dir, 'registry')),
      catalogFile: join(dir, 'r.db'),
    });
    await registry.start();
  }, 180_000);

  afterAll(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains on the synthetic runs plus the field windows, registers the model and records the gate verdict', async () => {
    const features = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i % 3 === 0 ? null : 0.5]));
    await appendFieldWindow(join(dir, 'field'), {
      schemaVersion: 1,
      incidentId: 'inc-1',
      deviceId: 'gw-1',
      zone: 'kitchen',
      outcome: 'fire',
      openedAt: 0,
      labelledBy: 'ops',
      labelledAt: 1_700_000_000_000,
      assessments: Array.from({ length: 30 }, (_, s) => ({
        ts: s * 2000,
        probability: 0.5,
        level: 'medium' as const,
        features,
      })),
    });
    // One incident recording an operator confirmed as a fire: a ceiling warming 0.5 °C/s.
    const recordings = join(dir, 'field', 'recordings');
    await mkdir(join(recordings, 'fire'), { recursive: true });
    const rows = ['t_s,temp_c'];
    for (let t = 0; t <= 400; t++) rows.push(`${String(t)},${(22 + Math.max(0, t - 300) * 0.5).toFixed(1)}`);
    await writeFile(join(recordings, 'fire', 'inc-2.csv'), rows.join('\n'));
    await writeFile(
      join(recordings, 'labels.jsonl'),
      `${JSON.stringify({
        schemaVersion: 1,
        incidentId: 'inc-2',
        deviceId: 'gw-2',
        outcome: 'fire',
        file: 'fire/inc-2.csv',
        sourceKey: 'recordings/gw-2/x.csv',
        alarmAtS: 300,
        labelledBy: 'ops',
        labelledAt: 1,
      })}\n`,
    );
    const retrainer = new PipelineRetrainer({
      registry,
      trainingData: join(dir, 'train'),
      heldOutData: join(dir, 'heldout'),
      fieldDataDir: join(dir, 'field'),
      realFires: [fileURLToPath(new URL('../../recordings/nist-home-smoke-alarms', import.meta.url))],
      workDir: join(dir, 'work'),
      trials: 2,
      folds: 2,
      nTrees: 10,
    });
    const result = await retrainer.retrain('real fire on gw-1 raised to high only after 400 s');
    expect(result.version).toMatch(/^gbdt-[0-9a-f]{12}$/);
    expect(result.notes).toContain(
      '6 synthetic runs, 1 labelled field windows and 1 labelled recordings went into training',
    );
    // The gate replayed the real fires and the confirmed fire with the candidate, whatever it decided.
    const criteria = (result.verdict as { checks: { criterion: string }[] }).checks.map((c) => c.criterion);
    expect(criteria).toEqual(expect.arrayContaining(['realFires', 'fieldFires']));
    const details = await registry.show(result.version);
    expect(details.manifest.data.runs).toBe(8);
    expect(details.manifest.data.description).toMatch(
      /1 field windows \+ 1 recordings; retrained because real fire on gw-1/,
    );
    expect(details.record.status).toBe(result.approved ? 'approved' : 'rejected');
    expect(details.decisions.at(-1)?.by).toBe('learning-agent');
    expect(details.evaluation.modelVersion).toBe(result.version);
  }, 180_000);
});
