import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { ModelReport } from '../../shared/model/model-report.js';
import type { RolloutProgress } from '../contracts/cloud-values.js';
import { OfferSigner, prepareModel, type PreparedModel } from './model-offers.js';
import { OfferDispatch } from './offer-dispatch.js';
import {
  canaryShareOf,
  resolveRolloutSettings,
  type FleetRolloutOptions,
  type RolloutSettings,
  type StartRolloutInput,
} from './rollout-options.js';
import { installOutcome, planRollout, revertOutcome } from './rollout-plan.js';
import { RolloutRun } from './rollout-run.js';
import { progressOf } from './rollout-rows.js';
import { RolloutStore } from './rollout-store.js';

/** How often the worker running the rollouts takes up the reports other workers queued. */
const REPORT_POLL_MS = 1_000;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface Running {
  readonly store: RolloutStore;
  readonly offers: OfferDispatch;
  readonly settings: RolloutSettings;
}

/**
 * Rolls a registered, approved model out to the fleet: signed offers to a
 * few canaries first, the rest only when every canary installed it (and,
 * with an AlarmBehaviour, its alarm rate did not regress), and the version
 * before offered back to the canaries when they did not. One rollout runs at
 * a time; its progress lives in SQLite so that a restart resumes it.
 */
export class FleetRollout {
  readonly #options: FleetRolloutOptions;
  readonly #events = new EventEmitter();
  readonly #now: () => number;
  #log: Logger = silentLogger();
  #running: Running | undefined;
  #active: RolloutRun | undefined;
  #timer: NodeJS.Timeout | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** False on a worker sharing the store while another runs the rollouts. */
  #leading: boolean;
  #inbox: NodeJS.Timeout | undefined;
  #draining = false;

  constructor(options: FleetRolloutOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#leading = options.shared !== true;
  }

  /**
   * `start()` opens the database and resumes a rollout that was running
   * (unanswered offers go out again). `start({ version, … })` starts a
   * rollout and resolves once the canary offers are out; it throws
   * EMBER_ERR_ROLLOUT when one is already running, the version is not an
   * approved model, or there are no devices.
   */
  start(): Promise<void>;
  start(input: StartRolloutInput): Promise<RolloutProgress>;
  start(input?: StartRolloutInput): Promise<void> | Promise<RolloutProgress> {
    return input === undefined ? this.#open() : this.#begin(input);
  }

  async #open(): Promise<void> {
    if (this.#running !== undefined) return;
    const settings = resolveRolloutSettings(this.#options.settings);
    this.#log = (this.#options.logger ?? silentLogger()).child({ component: 'rollout' });
    const signer = new OfferSigner(this.#options.signingKeyPem);
    const { databaseFile, postgresUrl } = this.#options;
    const store =
      postgresUrl === undefined
        ? RolloutStore.open(databaseFile ?? '')
        : RolloutStore.openPostgres(postgresUrl);
    const offers = new OfferDispatch(store, signer, settings, this.#options.publisher, this.#log);
    this.#running = { store, settings, offers };
    if (this.#leading) await this.#resume();
  }

  /** Takes up the running rollout where the store has it: its unanswered offers go out again. */
  async #resume(): Promise<void> {
    const { store, offers } = this.#require();
    const id = store.runningId();
    if (id === undefined) return;
    const run = this.#load(id);
    this.#active = run;
    this.#log.info({ rollout: id, state: run.row.state }, 'resuming rollout');
    await this.#serial(async () => {
      const unanswered = store.unansweredOffers(id);
      await Promise.all(unanswered.map((o) => offers.send(run, o.deviceId, o.payload)));
      await this.#advance(run);
    });
  }

  /**
   * Workers sharing the store: this one runs the rollouts from now on (it
   * gained the rollout lease). It resumes the running rollout, then every
   * second feeds it the reports other workers queued.
   */
  async lead(): Promise<void> {
    if (this.#leading) return;
    this.#leading = true;
    this.#inbox = setInterval(() => void this.#drain(), REPORT_POLL_MS);
    this.#inbox.unref();
    // Not started yet: start() resumes, since this worker leads.
    if (this.#running === undefined) return;
    await this.#resume();
    await this.#drain();
  }

  /** Workers sharing the store: another worker runs the rollouts now; this one's timers stop. */
  async follow(): Promise<void> {
    if (!this.#options.shared || !this.#leading) return;
    this.#leading = false;
    clearInterval(this.#inbox);
    clearTimeout(this.#timer);
    await this.#queue;
    this.#active = undefined;
  }

  async #drain(): Promise<void> {
    if (this.#draining || !this.#leading || this.#running === undefined) return;
    this.#draining = true;
    try {
      const { store } = this.#running;
      for (const queued of store.queuedReports(500)) {
        const parsed = ModelReport.safeParse(safeJson(queued.report));
        if (parsed.success) await this.#handleReport(queued.deviceId, parsed.data);
        // Dropped once handled: a leader killed in between hands the report on again, and handling is idempotent.
        store.dropReport(queued.id);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- follow() may have run during the await
        if (!this.#leading) break;
      }
    } catch (error) {
      this.#log.error({ err: error }, 'queued rollout reports not handled; will retry');
    } finally {
      this.#draining = false;
    }
  }

  /** Stops the timers and closes the database; a running rollout resumes at the next start(). */
  async stop(): Promise<void> {
    if (this.#running === undefined) return;
    clearInterval(this.#inbox);
    clearTimeout(this.#timer);
    await this.#queue;
    this.#running.store.close();
    this.#running = undefined;
    this.#active = undefined;
  }

  on(event: 'progress', listener: (progress: RolloutProgress) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off(event: 'progress', listener: (progress: RolloutProgress) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  async #begin(input: StartRolloutInput): Promise<RolloutProgress> {
    const { store } = this.#require();
    if (!this.#leading) {
      throw new EmberError(
        'EMBER_ERR_ROLLOUT',
        'this worker does not run rollouts now: another worker sharing the database holds the rollout lease',
      );
    }
    return this.#serial(async () => {
      if (this.#active !== undefined) {
        const { id, version } = this.#active.row;
        throw new EmberError('EMBER_ERR_ROLLOUT', `rollout ${id} of ${version} is still running`);
      }
      const share = canaryShareOf(input);
      const approved = await this.#options.registry.list({ status: 'approved' });
      if (!approved.some((m) => m.version === input.version)) {
        throw new EmberError(
          'EMBER_ERR_ROLLOUT',
          `model ${input.version} is not an approved model in the registry`,
        );
      }
      const model = await this.#prepare(input.version);
      const id = `rollout-${randomUUID()}`;
      const { row, devices } = planRollout({
        id,
        version: input.version,
        devices: input.devices ?? this.#options.fleet.deviceIds(),
        canaries: input.canaries,
        share,
        approved: approved.map((m) => m.version),
        activeOf: (deviceId) => store.activeOf(deviceId),
        now: this.#now(),
      });
      store.insertRollout(row, devices);
      const run = this.#load(id);
      this.#active = run;
      this.#log.info(
        { rollout: id, version: input.version, canaries: run.canaries(), devices: devices.length },
        'rollout started',
      );
      await this.#require().offers.offer(run, model, run.canaries());
      await this.#advance(run);
      return run.progress();
    });
  }

  /**
   * Feeds a device's model/report into the rollout that sent the offer it
   * quotes; reports of offers this rollout never sent are ignored.
   */
  async handleReport(deviceId: string, report: ModelReport): Promise<void> {
    const { store } = this.#require();
    if (!this.#leading) {
      store.queueReport(deviceId, JSON.stringify(report), this.#now());
      return;
    }
    await this.#handleReport(deviceId, report);
  }

  async #handleReport(deviceId: string, report: ModelReport): Promise<void> {
    const { store, offers } = this.#require();
    if (report.active !== undefined) store.recordActive(deviceId, report.active, report.ts);
    if (report.sequence !== undefined) store.recordAcceptedSequence(deviceId, report.sequence);
    const offer = store.offer(report.offerId);
    if (offer?.deviceId !== deviceId) return;
    await this.#serial(async () => {
      const run = this.#active?.row.id === offer.rolloutId ? this.#active : this.#load(offer.rolloutId);
      const device = run.device(deviceId);
      if (device === undefined) return;
      store.markAnswered(offer.id);
      await offers.clearIfAnswered(deviceId);
      if (offer.kind === 'revert') {
        run.setDevice(deviceId, revertOutcome(report));
      } else {
        const outcome = installOutcome(report);
        run.setDevice(deviceId, {
          ...outcome,
          installedAt: outcome.status === 'installed' ? this.#now() : device.installedAt,
        });
        // A canary that installs after the rollout was stopped still gets the version before back.
        if (
          outcome.status === 'installed' &&
          run.row.state === 'rolled-back' &&
          device.revertVersion === null
        ) {
          await this.#revert(run, [deviceId]);
        }
      }
      await this.#advance(run);
    });
  }

  get(id: string): RolloutProgress {
    const found = this.#require().store.rollout(id);
    if (found === undefined) throw new EmberError('EMBER_ERR_ROLLOUT_NOT_FOUND', `no rollout ${id}`);
    return progressOf(found.row, found.devices);
  }

  /** Every rollout, newest first. */
  list(): RolloutProgress[] {
    const { store } = this.#require();
    return store.ids().map((id) => this.get(id));
  }

  /** The rollout in its canary or fleet phase, if one is. */
  active(): RolloutProgress | undefined {
    const { store } = this.#require();
    if (this.#leading) return this.#active?.progress();
    const id = store.runningId();
    return id === undefined ? undefined : this.get(id);
  }

  async #advance(run: RolloutRun): Promise<void> {
    const current = this.#active === run;
    if (current) clearTimeout(this.#timer);
    const { settings } = this.#require();
    try {
      const next = await run.advance({
        now: this.#now(),
        settings,
        alarmBehaviour: this.#options.alarmBehaviour,
        offerRest: async (deviceIds) =>
          this.#require().offers.offer(run, await this.#prepare(run.row.version), deviceIds),
        revert: (deviceIds) => this.#revert(run, deviceIds),
      });
      if (next !== undefined && current) {
        this.#timer = setTimeout(
          () => {
            if (this.#running === undefined || this.#active !== run) return;
            this.#serial(() => this.#advance(run)).catch((error: unknown) => {
              this.#log.error({ err: error }, 'rollout step failed');
            });
          },
          Math.max(0, next - this.#now()),
        );
      }
    } catch (error) {
      this.#log.error({ err: error, rollout: run.row.id }, 'rollout failed');
      run.setState(
        'failed',
        `could not continue: ${error instanceof Error ? error.message : String(error)}`,
        this.#now(),
      );
    }
    if (run.row.state !== 'canary' && run.row.state !== 'fleet' && this.#active === run) {
      this.#active = undefined;
      this.#log.info(
        { rollout: run.row.id, state: run.row.state, reason: run.row.reason },
        'rollout finished',
      );
    }
    if (run.takeChanged()) this.#events.emit('progress', run.progress());
  }

  /** Signed rollbacks to devices that installed the model: each goes back to what it ran before. */
  async #revert(run: RolloutRun, deviceIds: readonly string[]): Promise<void> {
    for (const id of deviceIds) {
      const before = run.device(id)?.activeBefore ?? 'the model before';
      run.setDevice(id, { revertVersion: before, reason: `rollback sent: back to ${before}` });
    }
    await this.#require().offers.rollBack(run, deviceIds);
  }

  /**
   * A device came online (its birth status): its newest unanswered offer or
   * rollback is sent again, in case the broker lost the retained one.
   */
  deviceOnline(deviceId: string): Promise<void> {
    const { offers } = this.#require();
    return this.#serial(() => offers.resendNewest(deviceId));
  }

  #prepare(version: string): Promise<PreparedModel> {
    const { publicBaseUrl } = this.#require().settings;
    return prepareModel(this.#options.registry, version, publicBaseUrl, this.#options.signModelUrl);
  }

  #load(id: string): RolloutRun {
    const { store } = this.#require();
    const found = store.rollout(id);
    if (found === undefined) throw new EmberError('EMBER_ERR_ROLLOUT_NOT_FOUND', `no rollout ${id}`);
    return new RolloutRun(store, found.row, found.devices, this.#now);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #require(): Running {
    if (this.#running === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'fleet rollout used before start() or after stop()');
    }
    return this.#running;
  }
}
