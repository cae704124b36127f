import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelReport } from '../shared/model/model-report.js';
import { syntheticVectors } from './helpers/model-fixtures.js';
import { startModelPublisher, useModelUpdater, type ModelPublisher } from './helpers/model-publisher.js';

const probes = syntheticVectors(20, 99, 0.2);
let cloud: ModelPublisher;

beforeAll(async () => {
  cloud = await startModelPublisher();
});
afterAll(async () => {
  await cloud.stop();
});

describe('ModelUpdater refuses, and the running model carries on', () => {
  const t = useModelUpdater(() => cloud);
  let before: number[];
  let v1Offer: ReturnType<ModelPublisher['offerFor']>;

  beforeEach(async () => {
    v1Offer = cloud.offerFor('v1');
    await t.updater.handleOffer(v1Offer);
    before = Array.from(await t.updater.currentModel().predict(probes));
    t.reports.length = 0;
    t.swaps.length = 0;
  });

  async function expectRefused(
    offer: unknown,
    status: ModelReport['status'],
    code: string,
    reason: RegExp,
  ): Promise<void> {
    const report = await t.updater.handleOffer(offer);
    expect(report).toMatchObject({ status, code, active: 'v1' });
    expect(report.reason).toMatch(reason);
    expect(t.reports).toEqual([report]);
    expect(t.swaps).toEqual([]);
    expect(t.updater.currentModel().version).toBe('v1');
    expect(Array.from(await t.updater.currentModel().predict(probes))).toEqual(before);
    expect((await readdir(join(t.root, 'versions'))).every((d) => d.startsWith('v1-'))).toBe(true);
    t.reports.length = 0;
  }

  it('an unsigned offer', async () => {
    const { signature: _, ...unsigned } = cloud.offerFor('v2');
    await expectRefused(unsigned, 'rejected', 'EMBER_ERR_OFFER_SIGNATURE', /not signed/);
    await expectRefused(
      { ...unsigned, signature: '' },
      'rejected',
      'EMBER_ERR_OFFER_SIGNATURE',
      /not signed/,
    );
  });

  it('an offer signed with another key, whether it names that key or the fleet key', async () => {
    const rogue = cloud.offerFor('v2', cloud.rogue.privateKeyPem);
    await expectRefused(rogue, 'rejected', 'EMBER_ERR_OFFER_SIGNATURE', /does not trust/);
    const forged = { ...rogue, keyId: cloud.fleet.keyId };
    await expectRefused(forged, 'rejected', 'EMBER_ERR_OFFER_SIGNATURE', /does not verify/);
  });

  it('an offer altered after signing', async () => {
    const badref = { url: cloud.server.urlOf('/models/badref/manifest.json') };
    const altered = { ...cloud.offerFor('v2'), source: badref };
    await expectRefused(altered, 'rejected', 'EMBER_ERR_OFFER_SIGNATURE', /does not verify/);
  });

  it('a model file on the server that does not match the SHA-256', async () => {
    await expectRefused(cloud.offerFor('tampered'), 'rejected', 'EMBER_ERR_MODEL_CHECKSUM', /has SHA-256/);
    expect(cloud.server.requests).toContain('/models/tampered/model.onnx');
  });

  it('a manifest on the server that does not match the signed offer', async () => {
    const offer = cloud.offerFor('v2');
    const path = '/models/v2/manifest.json';
    const original = cloud.server.files.get(path) ?? new Uint8Array();
    const edited = new TextDecoder().decode(original).replace('"v2"', '"v3"');
    cloud.server.files.set(path, Buffer.from(edited));
    try {
      await expectRefused(offer, 'rejected', 'EMBER_ERR_MODEL_CHECKSUM', /signed offer says/);
    } finally {
      cloud.server.files.set(path, original);
    }
  });

  it('a model that does not reproduce its reference inputs', async () => {
    await expectRefused(
      cloud.offerFor('badref'),
      'rejected',
      'EMBER_ERR_MODEL_REFERENCE',
      /reference input 0/,
    );
  });

  it('an offer for another device, or over the size limit', async () => {
    const elsewhere = cloud.offerFor('v2', cloud.fleet.privateKeyPem, { deviceId: 'gw-2' });
    await expectRefused(elsewhere, 'rejected', 'EMBER_ERR_BAD_OFFER', /gw-2/);
    await t.restart({ maxModelBytes: 64 });
    await expectRefused(cloud.offerFor('v2'), 'rejected', 'EMBER_ERR_MODEL_DOWNLOAD', /larger than 64 bytes/);
  });

  it('an expired offer, and an older offer replayed after a newer one was taken, also after a restart', async () => {
    const now = Date.now();
    const fleetKey = cloud.fleet.privateKeyPem;
    const expired = cloud.offerFor('v2', fleetKey, { issuedAt: now - 7_200_000, expiresAt: now - 3_600_000 });
    await expectRefused(expired, 'rejected', 'EMBER_ERR_OFFER_STALE', /expired/);
    // Numbered before the offer that installed v1: what someone who kept it could replay.
    const older = cloud.offerFor('v2', fleetKey, { sequence: Math.max(1, v1Offer.sequence - 1) });
    await expectRefused(older, 'rejected', 'EMBER_ERR_OFFER_STALE', /replay/);
    const same = cloud.offerFor('v2', fleetKey, { sequence: v1Offer.sequence });
    await expectRefused(same, 'rejected', 'EMBER_ERR_OFFER_STALE', /replay/);
    await t.restart();
    await expectRefused(same, 'rejected', 'EMBER_ERR_OFFER_STALE', /replay/);
    expect(await t.updater.handleOffer(cloud.offerFor('v2'))).toMatchObject({
      status: 'installed',
      active: 'v2',
    });
  });

  it('takes the offer of the running model delivered again (a retained message) as already active', async () => {
    const report = await t.updater.handleOffer(v1Offer);
    expect(report).toMatchObject({ status: 'installed', reason: 'already active', active: 'v1' });
    expect(t.swaps).toEqual([]);
  });

  it('a download that fails or stalls, reported as failed so it may be offered again', async () => {
    const path = '/models/v2/model.onnx';
    const bytes = cloud.server.files.get(path) ?? new Uint8Array();
    cloud.server.files.delete(path);
    try {
      await expectRefused(cloud.offerFor('v2'), 'failed', 'EMBER_ERR_MODEL_DOWNLOAD', /HTTP 404/);
    } finally {
      cloud.server.files.set(path, bytes);
    }
    await t.restart({ downloadTimeoutMs: 300 });
    cloud.server.stall.add(path);
    try {
      await expectRefused(cloud.offerFor('v2'), 'failed', 'EMBER_ERR_MODEL_DOWNLOAD', /timed out/);
    } finally {
      cloud.server.stall.delete(path);
    }
    expect(await t.updater.handleOffer(cloud.offerFor('v2'))).toMatchObject({ status: 'installed' });
  });
});
