import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logging.js';
import { topicFor } from '../../shared/topics.js';
import type { OfferSigner, PreparedModel } from './model-offers.js';
import type { OfferPublisher, RolloutSettings } from './rollout-options.js';
import type { RolloutRun } from './rollout-run.js';
import type { RolloutStore } from './rollout-store.js';

/**
 * Signs offers and rollbacks, keeps each one's payload in the store, and
 * publishes them on `model/offer` as retained messages: a device that is
 * offline gets the newest one when it next subscribes. Once the device
 * answered every offer it was sent, the retained message is cleared. An
 * offer that cannot be delivered marks its device failed; it is never sent
 * again under a new id.
 */
export class OfferDispatch {
  readonly #store: RolloutStore;
  readonly #signer: OfferSigner;
  readonly #settings: RolloutSettings;
  readonly #publisher: OfferPublisher;
  readonly #log: Logger;

  constructor(
    store: RolloutStore,
    signer: OfferSigner,
    settings: RolloutSettings,
    publisher: OfferPublisher,
    log: Logger,
  ) {
    this.#store = store;
    this.#signer = signer;
    this.#settings = settings;
    this.#publisher = publisher;
    this.#log = log;
  }

  /**
   * Offers `model` to the devices, each with the next sequence of offers to
   * it, all stored in one transaction before any is sent.
   */
  async offer(run: RolloutRun, model: PreparedModel, deviceIds: readonly string[]): Promise<void> {
    const store = this.#store;
    // Wall-clock time, whatever clock drives the rollout: devices judge validity by their own clocks.
    const issuedAt = Date.now();
    const ttlMs = this.#settings.offerTtlS * 1000;
    const sent: { deviceId: string; payload: string }[] = [];
    store.transaction(() => {
      for (const deviceId of deviceIds) {
        const to = { deviceId, offerId: randomUUID(), sequence: store.nextSequence(deviceId) };
        const offer = this.#signer.offerTo(model, to, issuedAt, ttlMs);
        const payload = JSON.stringify(offer);
        store.insertOffer({
          id: offer.id,
          rolloutId: run.row.id,
          deviceId,
          kind: 'install',
          payload,
          sequence: offer.sequence,
        });
        run.setDevice(deviceId, { status: 'offered', reason: null });
        sent.push({ deviceId, payload });
      }
    });
    await Promise.all(sent.map(({ deviceId, payload }) => this.send(run, deviceId, payload)));
  }

  /**
   * Sends each device a signed rollback of the rollout's install offer to it:
   * the device goes back to what it ran before, with nothing to download and
   * no clock or sequence to trip over. Devices never offered the model are skipped.
   */
  async rollBack(run: RolloutRun, deviceIds: readonly string[]): Promise<string[]> {
    const store = this.#store;
    const sent: { deviceId: string; payload: string }[] = [];
    store.transaction(() => {
      for (const deviceId of deviceIds) {
        const install = store.installOffer(run.row.id, deviceId);
        if (install === undefined) continue;
        const to = { deviceId, offerId: install.id, version: run.row.version };
        const rollback = this.#signer.rollbackOf(to, randomUUID(), Date.now());
        const payload = JSON.stringify(rollback);
        store.insertOffer({
          id: rollback.id,
          rolloutId: run.row.id,
          deviceId,
          kind: 'revert',
          payload,
          sequence: null,
        });
        sent.push({ deviceId, payload });
      }
    });
    await Promise.all(sent.map(({ deviceId, payload }) => this.send(run, deviceId, payload)));
    return sent.map((s) => s.deviceId);
  }

  /** Publishes a stored offer (again, after a restart); a device still `offered` fails when it cannot be. */
  async send(run: RolloutRun | undefined, deviceId: string, payload: string): Promise<void> {
    try {
      await this.#publisher.publish(topicFor(deviceId, 'model/offer'), Buffer.from(payload), {
        retain: true,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.warn({ err: error, deviceId, rollout: run?.row.id }, 'offer not delivered');
      if (run?.device(deviceId)?.status === 'offered')
        run.setDevice(deviceId, { status: 'failed', reason: `offer not delivered: ${message}` });
    }
  }

  /** Clears a device's retained offer once it answered everything it was sent (an empty retained message). */
  async clearIfAnswered(deviceId: string): Promise<void> {
    if (this.#store.unansweredOffersTo(deviceId).length > 0) return;
    try {
      await this.#publisher.publish(topicFor(deviceId, 'model/offer'), Buffer.alloc(0), { retain: true });
    } catch (error) {
      this.#log.debug({ err: error, deviceId }, 'retained offer not cleared');
    }
  }

  /** The newest offer or rollback a device has not answered, sent again (it just came online). */
  async resendNewest(deviceId: string): Promise<void> {
    const newest = this.#store.unansweredOffersTo(deviceId).at(-1);
    if (newest === undefined) return;
    this.#log.info({ deviceId, offer: newest.id }, 'device back online: its unanswered offer sent again');
    await this.send(undefined, deviceId, newest.payload);
  }
}
