import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { loadModelDir } from '../../shared/model/model-dir.js';
import type { ModelReport } from '../../shared/model/model-report.js';
import type { OnnxModel } from '../../shared/model/onnx-model.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import { installFailure, messageOf } from './install-failure.js';
import { loadModelsAtStart, type LoadedModel } from './installed-models.js';
import { ModelSlots, type SlotEntry, type SlotState } from './model-slots.js';
import {
  resolveModelUpdaterSettings,
  type ModelUpdaterSettingsInput,
  type ResolvedModelUpdaterSettings,
} from './model-updater-settings.js';
import { isRollback } from '../../shared/model/model-rollback.js';
import { checkOffer, checkOfferFresh, checkRollback, offerLabel } from './offer-check.js';
import { fetchOfferedModel } from './offered-model.js';

/** What the updater is built from; the constructor stores these and does nothing else. */
export interface ModelUpdaterOptions {
  readonly settings: ModelUpdaterSettingsInput;
  /** Needed for offers whose source is an object key. */
  readonly objectStore?: ObjectStore;
  /** Called after every switch of the running model, with the model to use from now on. */
  readonly onSwap?: (model: FireModel) => void;
  /** Called with every report; the link publishes them on model/report. */
  readonly onReport?: (report: ModelReport) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
}

interface Running {
  readonly settings: ResolvedModelUpdaterSettings;
  readonly slots: ModelSlots;
}

/**
 * Installs signed models offered by the cloud and decides which model the
 * agent runs. The old model keeps running until the new one has been
 * fetched, checked against its hashes, stored and test-run; then one
 * atomic write of state.json switches over. The model before stays on disk
 * (and loaded) for rollback. Without any model the rules run.
 */
export class ModelUpdater {
  readonly #options: ModelUpdaterOptions;
  readonly #rules = new RuleModel();
  #running: Running | undefined;
  #log: Logger = silentLogger();
  #active: LoadedModel | undefined;
  #previous: LoadedModel | undefined;
  #rulesReason = 'no model installed';
  #failures = 0;
  /** Sequence of the newest offer ever accepted: offers no higher are replays. */
  #newestSequence = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ModelUpdaterOptions) {
    this.#options = options;
  }

  /** Loads the active and previous models named in state.json; a model that no longer loads is dropped. */
  async start(): Promise<void> {
    if (this.#running !== undefined) return;
    const settings = resolveModelUpdaterSettings(this.#options.settings);
    this.#log = (this.#options.logger ?? silentLogger()).child({ component: 'model-updater' });
    const slots = new ModelSlots(settings.root);
    const state = await slots.read();
    this.#newestSequence = state.newestOfferSequence;
    const { active, previous, broken } = await loadModelsAtStart(slots, state, settings.threads, this.#log);
    this.#running = { settings, slots };
    this.#active = active;
    this.#previous = previous;
    await this.#save();
    if (broken !== undefined) {
      const { offerId, version } = broken.entry;
      this.#rulesReason = `model ${version} did not load`;
      const reason = `did not load at start: ${broken.error.message}`;
      this.#report({ offerId, version, status: 'rolled-back', reason });
    }
    this.#log.info({ status: this.status() }, 'model updater started');
  }

  /** Waits for an install or rollback in progress, then closes the loaded models. */
  async stop(): Promise<void> {
    if (this.#running === undefined) return;
    await this.#queue;
    this.#running = undefined;
    await Promise.all([this.#active?.model.close(), this.#previous?.model.close()]);
    this.#active = undefined;
    this.#previous = undefined;
  }

  /** The model to run now: the active ONNX model, or the rules. */
  currentModel(): FireModel {
    return this.#active?.model ?? this.#rules;
  }

  /** Which model runs, for status messages: `model <version>` or `rules (<why>)`. */
  status(): string {
    if (this.#active === undefined) return `rules (${this.#rulesReason})`;
    const previous = this.#previous === undefined ? '' : `, previous ${this.#previous.entry.version}`;
    return `model ${this.#active.entry.version}${previous}`;
  }

  /**
   * Installs a model offer, or carries out a signed rollback (decoded JSON
   * from model/offer). Always settles with a report, also passed to
   * onReport; never throws for a bad offer.
   */
  handleOffer(raw: unknown): Promise<ModelReport> {
    this.#require();
    return this.#serial(async () => {
      const label = offerLabel(raw);
      try {
        return isRollback(raw) ? await this.#rollbackOrdered(raw) : await this.#install(raw);
      } catch (error) {
        const failure = installFailure(error);
        this.#log.warn(
          { err: error, offerId: label.offerId, status: failure.status },
          'model offer not installed',
        );
        return this.#report({ ...label, ...failure });
      }
    });
  }

  /** Puts the previous model (or the rules) back; resolves with the report, or undefined when only the rules ran. */
  rollback(reason = 'rollback requested'): Promise<ModelReport | undefined> {
    this.#require();
    return this.#serial(() => this.#rollback(reason));
  }

  /**
   * The agent calls this when a prediction of `model` (the current one when
   * omitted) throws; after maxInferenceFailures in a row the model is rolled back.
   */
  reportInferenceFailure(error?: unknown, model: FireModel = this.currentModel()): void {
    const active = this.#active;
    const settings = this.#running?.settings;
    if (active === undefined || settings === undefined || model !== active.model) return;
    this.#failures += 1;
    if (this.#failures < settings.maxInferenceFailures) return;
    this.#failures = 0;
    const reason = `${settings.maxInferenceFailures} inference failures in a row, last: ${messageOf(error)}`;
    void this.#serial(() => (this.#active === active ? this.#rollback(reason) : Promise.resolve(undefined)));
  }

  /** The agent calls this after a prediction that worked; it resets the failure count. */
  reportInferenceSuccess(): void {
    this.#failures = 0;
  }

  async #install(raw: unknown): Promise<ModelReport> {
    const { settings, slots } = this.#require();
    const offer = checkOffer(raw, settings);
    if (this.#active?.entry.version === offer.version) {
      return this.#report({
        offerId: offer.id,
        version: offer.version,
        status: 'installed',
        reason: 'already active',
      });
    }
    checkOfferFresh(offer, {
      now: (this.#options.now ?? Date.now)(),
      newestSequence: this.#newestSequence,
      maxAheadMs: settings.maxOfferAheadS * 1000,
    });
    const offered = await fetchOfferedModel(offer, {
      maxManifestBytes: settings.maxManifestBytes,
      maxModelBytes: settings.maxModelBytes,
      timeoutMs: settings.downloadTimeoutMs,
      store: this.#options.objectStore,
    });
    const { manifest } = offered;
    const dir = await slots.install(
      manifest.version,
      offered.manifestBytes,
      manifest.model.file,
      offered.modelBytes,
    );
    const entry: SlotEntry = { dir, version: manifest.version, offerId: offer.id, sequence: offer.sequence };
    let model: OnnxModel;
    try {
      model = await loadModelDir(slots.dirOf(entry), { threads: settings.threads });
    } catch (error) {
      await slots.prune(this.#state());
      throw error;
    }
    const displaced = this.#previous;
    const next = { active: { entry, model }, previous: this.#active };
    try {
      await slots.write({
        active: entry,
        previous: next.previous?.entry ?? null,
        newestOfferSequence: offer.sequence,
      });
    } catch (error) {
      await model.close();
      await slots.prune(this.#state());
      throw error;
    }
    this.#newestSequence = offer.sequence;
    this.#switchTo(next.active, next.previous);
    await displaced?.model.close();
    await this.#prune();
    return this.#report({ offerId: offer.id, version: manifest.version, status: 'installed' });
  }

  /**
   * A signed rollback from the cloud: the model of the offer it names goes,
   * if it is the one running and no newer offer was accepted since (so a
   * replayed rollback does nothing). Clocks and sequence play no part.
   */
  async #rollbackOrdered(raw: unknown): Promise<ModelReport> {
    const { settings } = this.#require();
    const order = checkRollback(raw, settings);
    const label = { offerId: order.id, version: order.version };
    const active = this.#active?.entry;
    if (active?.offerId !== order.offerId) {
      const reason = `the model of offer ${order.offerId} is not running (active: ${active?.version ?? 'rules'})`;
      return this.#report({ ...label, status: 'rolled-back', reason });
    }
    if ((active.sequence ?? 0) < this.#newestSequence) {
      throw new EmberError(
        'EMBER_ERR_OFFER_STALE',
        `rollback ${order.id} names offer ${order.offerId}, and a newer offer was accepted since`,
      );
    }
    const reason = `rollback ${order.id} signed by the cloud`;
    await this.#takeOut(active, reason);
    return this.#report({ ...label, status: 'rolled-back', reason });
  }

  async #rollback(reason: string): Promise<ModelReport | undefined> {
    const removed = this.#active;
    if (removed === undefined) return undefined;
    await this.#takeOut(removed.entry, reason);
    const { offerId, version } = removed.entry;
    return this.#report({ offerId, version, status: 'rolled-back', reason });
  }

  /** Puts the previous model (or the rules) in place of the active one, whose entry is `entry`. */
  async #takeOut(entry: SlotEntry, reason: string): Promise<void> {
    const removed = this.#active;
    if (removed?.entry !== entry) return;
    const back = this.#previous;
    await this.#require().slots.write({
      active: back?.entry ?? null,
      previous: null,
      newestOfferSequence: this.#newestSequence,
    });
    this.#rulesReason = `model ${removed.entry.version} rolled back`;
    this.#log.warn({ version: removed.entry.version, reason }, 'model rolled back');
    this.#switchTo(back, undefined);
    await removed.model.close();
    await this.#prune();
  }

  #switchTo(active: LoadedModel | undefined, previous: LoadedModel | undefined): void {
    this.#active = active;
    this.#previous = previous;
    this.#failures = 0;
    const model = this.currentModel();
    this.#log.info({ status: this.status() }, 'model switched');
    try {
      this.#options.onSwap?.(model);
    } catch (error) {
      this.#log.error({ err: error }, 'onSwap handler threw');
    }
  }

  #state(): SlotState {
    return {
      active: this.#active?.entry ?? null,
      previous: this.#previous?.entry ?? null,
      newestOfferSequence: this.#newestSequence,
    };
  }

  async #save(): Promise<void> {
    await this.#running?.slots.write(this.#state());
    await this.#prune();
  }

  async #prune(): Promise<void> {
    try {
      await this.#running?.slots.prune(this.#state());
    } catch (error) {
      this.#log.warn({ err: error }, 'could not delete old model folders');
    }
  }

  #report(fields: Omit<ModelReport, 'ts' | 'active'>): ModelReport {
    const report: ModelReport = {
      ...fields,
      active: this.#active?.entry.version ?? 'rules',
      sequence: this.#newestSequence,
      ts: (this.#options.now ?? Date.now)(),
    };
    if (report.reason === undefined) delete report.reason;
    if (report.code === undefined) delete report.code;
    try {
      this.#options.onReport?.(report);
    } catch (error) {
      this.#log.error({ err: error }, 'onReport handler threw');
    }
    return report;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch((error: unknown) => this.#log.error({ err: error }, 'model task failed'));
    return run;
  }

  #require(): Running {
    if (this.#running === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'model updater used before start() or after stop()');
    }
    return this.#running;
  }
}
