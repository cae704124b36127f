import { isRollback, ModelRollback, verifyRollback } from '../../shared/model/model-rollback.js';
import { generateOfferKeys, ModelOffer, verifyOffer } from '../../shared/model/model-signature.js';
import type { ModelReport } from '../../shared/model/model-report.js';
import { parseTopic } from '../../shared/topics.js';
import type { FleetRollout } from './fleet-rollout.js';

export type Behaviour = 'install' | 'reject' | 'silent';

/** The fleet's signing keys every rollout test signs and verifies with. */
export const keys = generateOfferKeys();

/** A fleet in memory: each device answers its offers and rollbacks as told, like the edge's ModelUpdater would. */
export class FakeFleet {
  readonly offers: { deviceId: string; offer: ModelOffer }[] = [];
  readonly rollbacks: { deviceId: string; rollback: ModelRollback }[] = [];
  /** Offers and reports in the order they happened: `offer gw-1 m2`, `report gw-1 installed`. */
  readonly log: string[] = [];
  readonly active = new Map<string, string>();
  /** What each device ran before, newest last, and the offer that installed what it runs. */
  readonly history = new Map<string, { version: string; offerId: string }[]>();
  readonly behaviour = new Map<string, Behaviour>();
  /** The retained message of each topic, as the broker keeps it. */
  readonly retained = new Map<string, string>();
  rollout: FleetRollout | undefined;

  publish(topic: string, payload: Buffer, options: { retain?: boolean } = {}): Promise<void> {
    const deviceId = parseTopic(topic)?.deviceId ?? '';
    if (options.retain === true) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, payload.toString('utf8'));
    }
    if (payload.length === 0) return Promise.resolve();
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (isRollback(body)) return this.#rollBack(deviceId, ModelRollback.parse(body));
    const offer = ModelOffer.parse(body);
    this.offers.push({ deviceId, offer });
    this.log.push(`offer ${deviceId} ${offer.version}`);
    const behaviour = this.behaviour.get(deviceId) ?? 'install';
    if (behaviour !== 'silent') {
      setImmediate(() => {
        const installed = behaviour === 'install' && verifyOffer(offer, keys.publicKeyPem);
        if (installed) {
          const history = this.history.get(deviceId) ?? [];
          history.push({ version: offer.version, offerId: offer.id });
          this.history.set(deviceId, history);
          this.active.set(deviceId, offer.version);
        }
        this.#report(deviceId, {
          offerId: offer.id,
          version: offer.version,
          status: installed ? 'installed' : 'rejected',
          ...(installed
            ? {}
            : {
                reason: 'model does not reproduce its reference outputs',
                code: 'EMBER_ERR_MODEL_REFERENCE',
              }),
        });
      });
    }
    return Promise.resolve();
  }

  #rollBack(deviceId: string, rollback: ModelRollback): Promise<void> {
    this.rollbacks.push({ deviceId, rollback });
    this.log.push(`rollback ${deviceId} ${rollback.version}`);
    setImmediate(() => {
      const history = this.history.get(deviceId) ?? [];
      if (verifyRollback(rollback, keys.publicKeyPem) && history.at(-1)?.offerId === rollback.offerId) {
        history.pop();
        this.active.set(deviceId, history.at(-1)?.version ?? 'rules');
      }
      this.#report(deviceId, { offerId: rollback.id, version: rollback.version, status: 'rolled-back' });
    });
    return Promise.resolve();
  }

  #report(deviceId: string, fields: Omit<ModelReport, 'ts' | 'active'>): void {
    const report: ModelReport = { ...fields, ts: Date.now(), active: this.active.get(deviceId) ?? 'rules' };
    this.log.push(`report ${deviceId} ${report.status}`);
    void this.rollout?.handleReport(deviceId, report).catch(() => undefined);
  }

  offeredTo(version: string): string[] {
    return this.offers.filter((o) => o.offer.version === version).map((o) => o.deviceId);
  }
}
