import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FireModel } from '../shared/model/fire-model.js';
import { loadModelDir, writeModelDir } from '../shared/model/model-dir.js';
import { signOffer } from '../shared/model/model-signature.js';
import { FolderStore } from '../shared/object-store/folder-store.js';
import { syntheticVectors } from './helpers/model-fixtures.js';
import { startModelPublisher, useModelUpdater, type ModelPublisher } from './helpers/model-publisher.js';
import { waitFor } from './helpers/wait.js';

const probes = syntheticVectors(20, 99, 0.2);
let cloud: ModelPublisher;

async function predictions(model: FireModel): Promise<number[]> {
  return Array.from(await model.predict(probes));
}

async function versionDir(root: string, version: string): Promise<string> {
  const dir = (await readdir(join(root, 'versions'))).find((d) => d.startsWith(`${version}-`));
  if (dir === undefined) throw new Error(`${version} is not installed`);
  return join(root, 'versions', dir);
}

beforeAll(async () => {
  cloud = await startModelPublisher();
});
afterAll(async () => {
  await cloud.stop();
});

describe('ModelUpdater', () => {
  const t = useModelUpdater(() => cloud);

  it('runs the rules while no model is installed', async () => {
    expect(t.updater.currentModel().version).toBe('rules');
    expect(t.updater.status()).toBe('rules (no model installed)');
    expect(await t.updater.rollback()).toBeUndefined();
    expect(t.reports).toEqual([]);
  });

  it('installs a signed offer, swaps to it, and keeps the model before for rollback', async () => {
    const first = await t.updater.handleOffer(cloud.offerFor('v1'));
    expect(first).toMatchObject({ status: 'installed', version: 'v1', active: 'v1' });
    expect(t.swaps.map((m) => m.version)).toEqual(['v1']);
    const second = await t.updater.handleOffer(cloud.offerFor('v2'));
    expect(second).toMatchObject({ status: 'installed', version: 'v2', active: 'v2' });
    expect(t.reports).toEqual([first, second]);
    expect(t.swaps.map((m) => m.version)).toEqual(['v1', 'v2']);
    expect(t.updater.currentModel()).toBe(t.swaps[1]);
    expect(t.updater.status()).toBe('model v2, previous v1');
    const reference = await loadModelDir(await versionDir(t.root, 'v2'));
    expect(await predictions(t.updater.currentModel())).toEqual(await predictions(reference));
    await reference.close();
    const state = JSON.parse(await readFile(join(t.root, 'state.json'), 'utf8')) as {
      active: { version: string };
      previous: { version: string };
    };
    expect([state.active.version, state.previous.version]).toEqual(['v2', 'v1']);
  });

  it('rolls back to the model before, then to the rules', async () => {
    await t.updater.handleOffer(cloud.offerFor('v1'));
    const v1 = await predictions(t.updater.currentModel());
    const installV2 = await t.updater.handleOffer(cloud.offerFor('v2'));
    expect(await predictions(t.updater.currentModel())).not.toEqual(v1);
    const back = await t.updater.rollback('operator asked');
    expect(back).toMatchObject({
      status: 'rolled-back',
      version: 'v2',
      offerId: installV2.offerId,
      reason: 'operator asked',
      active: 'v1',
    });
    expect(t.updater.currentModel().version).toBe('v1');
    expect(await predictions(t.updater.currentModel())).toEqual(v1);
    expect(await t.updater.rollback()).toMatchObject({
      status: 'rolled-back',
      version: 'v1',
      active: 'rules',
    });
    expect(t.updater.currentModel().version).toBe('rules');
    expect(t.updater.status()).toBe('rules (model v1 rolled back)');
    expect(t.swaps.map((m) => m.version)).toEqual(['v1', 'v2', 'v1', 'rules']);
    expect(await readdir(join(t.root, 'versions'))).toEqual([]);
  });

  it('rolls back by itself after maxInferenceFailures failures in a row', async () => {
    await t.restart({ maxInferenceFailures: 3 });
    await t.updater.handleOffer(cloud.offerFor('v1'));
    await t.updater.handleOffer(cloud.offerFor('v2'));
    const v2 = t.updater.currentModel();
    const boom = new Error('boom');
    t.updater.reportInferenceFailure(boom);
    t.updater.reportInferenceFailure(boom);
    t.updater.reportInferenceSuccess();
    t.updater.reportInferenceFailure(boom);
    t.updater.reportInferenceFailure(boom);
    expect(t.updater.currentModel()).toBe(v2);
    t.updater.reportInferenceFailure(boom, v2);
    // The swap comes before the report; wait for the report, which is the end of the rollback.
    await waitFor('automatic rollback', () => t.reports.at(-1)?.status === 'rolled-back');
    expect(t.updater.currentModel().version).toBe('v1');
    expect(t.reports.at(-1)).toMatchObject({ status: 'rolled-back', version: 'v2', active: 'v1' });
    expect(t.reports.at(-1)?.reason).toMatch(/3 inference failures in a row, last: boom/);
    // Late failures of the model already replaced must not count against the one now running.
    for (let i = 0; i < 3; i++) t.updater.reportInferenceFailure(new Error('late'), v2);
    expect(t.updater.currentModel().version).toBe('v1');
  });

  it('comes back after a restart with the same models, and falls back when the active one is damaged', async () => {
    await t.updater.handleOffer(cloud.offerFor('v1'));
    await t.updater.handleOffer(cloud.offerFor('v2'));
    const v2 = await predictions(t.updater.currentModel());
    await t.restart();
    expect(t.updater.status()).toBe('model v2, previous v1');
    expect(await predictions(t.updater.currentModel())).toEqual(v2);
    await t.updater.stop();
    await writeFile(join(await versionDir(t.root, 'v2'), 'model.onnx'), 'damaged');
    await t.restart();
    expect(t.updater.status()).toBe('model v1');
    expect(t.reports).toMatchObject([{ status: 'rolled-back', version: 'v2', active: 'v1' }]);
    expect(t.reports[0]?.reason).toMatch(/SHA-256/);
  });

  it('installs from an object store when the offer names an object key, once', async () => {
    const storeRoot = join(t.root, 'store');
    const entry = cloud.published.get('v2');
    if (entry === undefined) throw new Error('v2 not published');
    await writeModelDir(join(storeRoot, 'models', 'v2'), entry.manifest, entry.modelBytes);
    await t.restart({}, new FolderStore(storeRoot));
    const { signature: _, ...unsigned } = cloud.offerFor('v2');
    const offer = signOffer(
      { ...unsigned, source: { objectKey: 'models/v2/manifest.json' } },
      cloud.fleet.privateKeyPem,
    );
    expect(await t.updater.handleOffer(offer)).toMatchObject({ status: 'installed', version: 'v2' });
    expect(t.updater.currentModel().version).toBe('v2');
    expect(await t.updater.handleOffer(offer)).toMatchObject({
      status: 'installed',
      reason: 'already active',
    });
    expect(t.swaps).toHaveLength(1);
  });

  it('refuses to work before start()', async () => {
    const idle = t.create();
    expect(() => idle.handleOffer(cloud.offerFor('v1'))).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_NOT_STARTED' }),
    );
    await idle.stop();
  });
});
