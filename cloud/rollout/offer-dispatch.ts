import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logging.js';
import { topicFor } from '../../shared/topics.js';
import type { OfferSigner, PreparedModel } from './model-offers.js';
import type { OfferPublisher, RolloutSettings } from './rollout-options.js';
import type { RolloutRun } from './rollout-run.js';
import type { RolloutStore } from './rollout-store.js';

/**
 * Signs offers, keeps each one's payload in the store, and publishes them
 * on `model/offer`. An offer that cannot be delivered marks its device
 * failed; it is never sent again under a new id.
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

  /** Offers `model` to the devices, stored in one transaction before any is sent. */
  async offer(
    run: RolloutRun,
    model: PreparedModel,
    deviceIds: readonly string[],
    kind: 'install' | 'revert',
  ): Promise<void> {
    const store = this.#store;
    // Wall-clock time, whatever clock drives the rollout: devices judge validity by their own clocks.
    const issuedAt = Date.now();
    const ttlMs = this.#settings.offerTtlS * 1000;
    const offers = deviceIds.map((deviceId) => ({
      deviceId,
      offer: this.#signer.offerTo(model, deviceId, randomUUID(), issuedAt, ttlMs),
    }));
    store.transaction(() => {
      for (const { deviceId, offer } of offers) {
        store.insertOffer({
          id: offer.id,
          rolloutId: run.row.id,
          deviceId,
          kind,
          payload: JSON.stringify(offer),
        });
        if (kind === 'install') run.setDevice(deviceId, { status: 'offered', reason: null });
      }
    });
    await Promise.all(offers.map(({ deviceId, offer }) => this.send(run, deviceId, JSON.stringify(offer))));
  }

  /** Publishes a stored offer (again, after a restart); a device still `offered` fails when it cannot be. */
  async send(run: RolloutRun, deviceId: string, payload: string): Promise<void> {
    try {
      await this.#publisher.publish(topicFor(deviceId, 'model/offer'), Buffer.from(payload));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.warn({ err: error, deviceId, rollout: run.row.id }, 'offer not delivered');
      if (run.device(deviceId)?.status === 'offered')
        run.setDevice(deviceId, { status: 'failed', reason: `offer not delivered: ${message}` });
    }
  }
}
