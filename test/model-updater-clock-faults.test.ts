import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelPublisher, useModelUpdater, type ModelPublisher } from './helpers/model-publisher.js';

/**
 * Offers signed by a cloud whose clock went wrong, and the cloud's way back.
 * Replay protection rests on the cloud's per-device sequence: no date on an
 * offer, however far ahead, makes the offers after it look like replays.
 */
const DAY = 86_400_000;
let cloud: ModelPublisher;

beforeAll(async () => {
  cloud = await startModelPublisher();
});
afterAll(async () => {
  await cloud.stop();
});

describe('ModelUpdater under clock faults', () => {
  const t = useModelUpdater(() => cloud);

  it('a future-dated offer followed by a genuine one: the genuine one installs', async () => {
    const now = Date.now();
    // A year ahead: refused for now (retryable), nothing recorded.
    const yearAhead = cloud.offerFor('v1', undefined, {
      issuedAt: now + 365 * DAY,
      expiresAt: now + 366 * DAY,
    });
    expect(await t.updater.handleOffer(yearAhead)).toMatchObject({
      status: 'failed',
      code: 'EMBER_ERR_OFFER_FUTURE',
      active: 'rules',
    });
    expect(t.updater.currentModel().version).toBe('rules');
    expect(await t.updater.handleOffer(cloud.offerFor('v1'))).toMatchObject({
      status: 'installed',
      active: 'v1',
    });

    // Twelve hours ahead, within the bound: it installs, and poisons nothing.
    const ahead = cloud.offerFor('v2', undefined, { issuedAt: now + DAY / 2, expiresAt: now + DAY });
    expect(await t.updater.handleOffer(ahead)).toMatchObject({ status: 'installed', active: 'v2' });
    const genuine = cloud.offerFor('v1');
    expect(genuine.issuedAt).toBeLessThan(ahead.issuedAt);
    expect(await t.updater.handleOffer(genuine)).toMatchObject({ status: 'installed', active: 'v1' });
    await t.restart();
    expect(t.updater.currentModel().version).toBe('v1');
    const state = JSON.parse(await readFile(join(t.root, 'state.json'), 'utf8')) as {
      newestOfferSequence: number;
    };
    expect(state.newestOfferSequence).toBe(genuine.sequence);
    // The future-dated one replayed now is refused as what it is: old.
    expect(await t.updater.handleOffer(ahead)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_OFFER_STALE',
    });
  });

  it('refuses an offer valid for longer than 31 days', async () => {
    const now = Date.now();
    const forever = cloud.offerFor('v1', undefined, { issuedAt: now, expiresAt: now + 40 * DAY });
    expect(await t.updater.handleOffer(forever)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_BAD_OFFER',
    });
  });

  it("a signed rollback always works: after a future-dated install, whatever the device's state", async () => {
    const now = Date.now();
    const v1 = cloud.offerFor('v1');
    await t.updater.handleOffer(v1);
    const ahead = cloud.offerFor('v2', undefined, { issuedAt: now + DAY / 2, expiresAt: now + DAY });
    await t.updater.handleOffer(ahead);
    expect(t.updater.currentModel().version).toBe('v2');
    const report = await t.updater.handleOffer(cloud.rollbackOf(ahead));
    expect(report).toMatchObject({ status: 'rolled-back', version: 'v2', active: 'v1' });
    expect(t.updater.currentModel().version).toBe('v1');
    // Replayed, it does nothing: v2's offer no longer runs.
    const again = await t.updater.handleOffer(cloud.rollbackOf(ahead));
    expect(again).toMatchObject({ status: 'rolled-back', active: 'v1' });
    expect(again.reason).toMatch(/not running/);
    expect(t.updater.currentModel().version).toBe('v1');
    // The rollback of v1's offer after a newer offer was accepted (and locally rolled back) is refused.
    expect(await t.updater.handleOffer(cloud.rollbackOf(v1))).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_OFFER_STALE',
      active: 'v1',
    });
  });

  it('refuses a rollback that is unsigned, signed by another key, or for another device', async () => {
    const v1 = cloud.offerFor('v1');
    await t.updater.handleOffer(v1);
    const rogue = cloud.rollbackOf(v1, 'gw-1', cloud.rogue.privateKeyPem);
    expect(await t.updater.handleOffer(rogue)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_OFFER_SIGNATURE',
    });
    const { signature: _, ...unsigned } = cloud.rollbackOf(v1);
    expect(await t.updater.handleOffer(unsigned)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_BAD_OFFER',
    });
    const elsewhere = cloud.rollbackOf(v1, 'gw-2');
    expect(await t.updater.handleOffer(elsewhere)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_BAD_OFFER',
    });
    const altered = { ...cloud.rollbackOf(v1), offerId: 'offer-other' };
    expect(await t.updater.handleOffer(altered)).toMatchObject({
      status: 'rejected',
      code: 'EMBER_ERR_OFFER_SIGNATURE',
    });
    expect(t.updater.currentModel().version).toBe('v1');
  });
});
