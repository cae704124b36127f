import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import {
  transitionProblem,
  verdictProblem,
  type DecisionRecord,
  type DecisionInput,
  type GateVerdict,
  type ModelStatus,
} from './decision.js';
import type { EvaluationSummary } from './evaluation-summary.js';
import { Experiment, type ExperimentInput } from './experiment.js';
import { evaluateGate, GateCriteria } from './gate.js';
import type { RecordingCheck } from './recording-checks.js';
import { RegistryCatalog, type ModelRecord, type RegistryCatalogHome } from './registry-catalog.js';
import { checkRegistration, validated, type RegisterInput, type RegisterResult } from './registration.js';
import { modelRecord, RegistryObjects, sha256Hex, type RebuildResult } from './registry-objects.js';

interface CommonOptions {
  store: ObjectStore;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The catalogue is a SQLite file (`catalogFile`: created, and rebuilt from
 * the store, when missing) or another home (`catalog`: the cloud's
 * PostgreSQL, shared by its workers).
 */
export type ModelRegistryOptions = CommonOptions &
  ({ catalogFile: string; catalog?: never } | { catalog: RegistryCatalogHome; catalogFile?: never });

/** How long a registration or decision may hold its model's lock: a holder that died frees it after this. */
const LOCK_TTL_MS = 120_000;
/** How long a registration or decision waits for another one on the same model before giving up. */
const LOCK_WAIT_MS = 30_000;

export type { DecisionInput } from './decision.js';
export type { RegisterInput, RegisterResult } from './registration.js';
export type { RebuildResult } from './registry-objects.js';

/** Everything known about one model. */
export interface ModelDetails {
  record: ModelRecord;
  manifest: ModelManifest;
  evaluation: EvaluationSummary;
  decisions: DecisionRecord[];
  experiments: Experiment[];
  hasReport: boolean;
}

/**
 * The model registry: every model with its manifest, evaluation, experiments
 * and decisions in an object store (the source of truth), indexed by a
 * SQLite catalogue that can be rebuilt from the store at any time.
 */
export class ModelRegistry {
  readonly #objects: RegistryObjects;
  readonly #home: RegistryCatalogHome;
  readonly #logger: Logger;
  readonly #now: () => Date;
  #catalogue: RegistryCatalog | undefined;

  constructor(options: ModelRegistryOptions) {
    this.#objects = new RegistryObjects(options.store);
    this.#home = options.catalog ?? RegistryCatalog.file(options.catalogFile);
    this.#logger = (options.logger ?? silentLogger()).child({ component: 'registry' });
    this.#now = options.now ?? (() => new Date());
  }

  /** Opens the catalogue; a new one (first use, or the old one lost) is filled from the store. */
  async start(): Promise<void> {
    if (this.#catalogue !== undefined) return;
    const { catalog, fresh } = this.#home.open();
    this.#catalogue = catalog;
    if (fresh && (await this.#objects.hasModels())) {
      // Adding, not replacing: another worker sharing the new catalogue may register meanwhile.
      const result = await this.#refill(true);
      this.#logger.warn(
        { ...result, catalog: this.#home.description },
        'catalogue was new; rebuilt from the store',
      );
    }
  }

  /** Closes the catalogue; the store belongs to the caller. */
  stop(): Promise<void> {
    this.#catalogue?.close();
    this.#catalogue = undefined;
    return Promise.resolve();
  }

  /**
   * Stores a model with its manifest, evaluation and experiments as a
   * candidate. Registering the same bytes under the same version again
   * changes nothing (and completes a registration a crash interrupted);
   * different bytes under a registered version are refused.
   */
  async register(input: RegisterInput): Promise<RegisterResult> {
    this.#catalog(); // not started: refused before the input is judged
    const checked = checkRegistration(input);
    return this.#exclusively(checked.version, () => this.#register(checked));
  }

  async #register(checked: ReturnType<typeof checkRegistration>): Promise<RegisterResult> {
    const catalog = this.#catalog();
    const { version, sha256 } = checked;
    const stored = await this.#objects.manifest(version);
    const known = catalog.model(version)?.sha256 ?? stored?.model.sha256;
    if (known !== undefined && known !== sha256) {
      throw new EmberError(
        'EMBER_ERR_REGISTRY_CONFLICT',
        `version ${version} is already registered with sha256 ${known}; give the new model a new version`,
      );
    }
    if (stored === undefined) await this.#objects.writeModel(checked);
    for (const experiment of checked.experiments) await this.#objects.writeExperiment(experiment);
    // On a repeat, what the store holds wins over what was offered again.
    const decisions = stored === undefined ? [] : await this.#objects.decisions(version);
    const record =
      stored === undefined
        ? modelRecord(checked.manifest, checked.evaluation, [])
        : modelRecord(stored, await this.#objects.evaluation(version), decisions);
    catalog.addModel(record, decisions, checked.experiments);
    this.#logger.info({ version, sha256, created: stored === undefined }, 'model registered');
    return { created: stored === undefined, record: this.#record(version) };
  }

  /** Stores an experiment on its own, e.g. a search trial that produced no registered model. */
  async recordExperiment(input: ExperimentInput): Promise<Experiment> {
    const experiment = validated('experiment', Experiment, input);
    await this.#objects.writeExperiment(experiment);
    this.#catalog().addExperiment(experiment);
    return experiment;
  }

  /** Models, newest first. */
  list(filter: { status?: ModelStatus } = {}): Promise<ModelRecord[]> {
    return this.#read((catalog) => catalog.models(filter.status));
  }

  async show(version: string): Promise<ModelDetails> {
    const record = this.#record(version);
    const catalog = this.#catalog();
    const [manifest, evaluation, hasReport] = await Promise.all([
      this.#objects.manifest(version),
      this.#objects.evaluation(version),
      this.#objects.hasReport(version),
    ]);
    if (manifest === undefined) throw this.#notFound(version, 'its manifest is gone from the store');
    return {
      record,
      manifest,
      evaluation,
      decisions: catalog.decisionsOf(version),
      experiments: catalog.experimentsOf(version),
      hasReport,
    };
  }

  /** The model in service: the newest approved one. */
  current(): Promise<ModelRecord | undefined> {
    return this.#read((catalog) => catalog.current());
  }

  /** The model's bytes and manifest straight from the store, checked against the manifest's sha256. */
  async fetchModel(version: string): Promise<{ bytes: Uint8Array; manifest: ModelManifest }> {
    const manifest = await this.#objects.manifest(version);
    if (manifest === undefined) throw this.#notFound(version);
    const bytes = await this.#objects.modelBytes(version);
    const actual = sha256Hex(bytes);
    if (actual !== manifest.model.sha256) {
      throw new EmberError(
        'EMBER_ERR_REGISTRY_CHECKSUM',
        `stored model ${version} has sha256 ${actual}, its manifest says ${manifest.model.sha256}`,
      );
    }
    return { bytes, manifest };
  }

  /**
   * Runs the gate on a model against the current one, recording nothing.
   * `recordings` are the candidate's replays of real recordings (see
   * checkRecordings), each of which must pass.
   */
  async checkGate(
    version: string,
    criteria: z.input<typeof GateCriteria> = {},
    recordings: readonly RecordingCheck[] = [],
  ): Promise<GateVerdict> {
    const parsed = validated('gate criteria', GateCriteria, criteria);
    this.#record(version);
    const evaluation = await this.#objects.evaluation(version);
    const current = this.#catalog().current(version);
    const reference =
      current === undefined
        ? undefined
        : { version: current.version, evaluation: await this.#objects.evaluation(current.version) };
    const result = evaluateGate(evaluation, parsed, reference, recordings);
    return { version, against: current?.version ?? null, criteria: parsed, ...result };
  }

  approve(version: string, input: DecisionInput): Promise<DecisionRecord> {
    return this.#decide(version, 'approved', input);
  }

  reject(version: string, input: DecisionInput): Promise<DecisionRecord> {
    return this.#decide(version, 'rejected', input);
  }

  /** Takes an approved model out of service without calling it bad. */
  retire(version: string, input: DecisionInput): Promise<DecisionRecord> {
    return this.#decide(version, 'retired', input);
  }

  /** Runs the gate on a candidate and records its verdict: approval, or rejection with the failing criteria. */
  async decide(
    version: string,
    criteria: z.input<typeof GateCriteria>,
    by: { by: string },
    recordings: readonly RecordingCheck[] = [],
  ): Promise<{ decision: DecisionRecord; gate: GateVerdict }> {
    const gate = await this.checkGate(version, criteria, recordings);
    const failing = gate.checks.filter((c) => !c.passed).map((c) => c.reason);
    const reason = gate.approved
      ? `gate passed all ${gate.checks.length} criteria`
      : `gate refused: ${failing.join('; ')}`;
    const to = gate.approved ? 'approved' : 'rejected';
    const decision = await this.#decide(version, to, { by: by.by, reason, gate }, 'candidate');
    return { decision, gate };
  }

  /** Refills the catalogue from the store, the source of truth; objects that fail to read are reported. */
  rebuildCatalog(): Promise<RebuildResult> {
    return this.#refill(false);
  }

  async #refill(keep: boolean): Promise<RebuildResult> {
    const catalog = this.#catalog();
    const { snapshot, skipped } = await this.#objects.snapshot();
    catalog.replaceAll(snapshot, keep);
    for (const s of skipped) this.#logger.warn(s, 'registry object left out of the catalogue');
    return {
      models: snapshot.models.length,
      experiments: snapshot.experiments.length,
      decisions: snapshot.models.reduce((n, m) => n + m.decisions.length, 0),
      skipped,
    };
  }

  async #decide(
    version: string,
    to: ModelStatus,
    input: DecisionInput,
    requiredFrom?: ModelStatus,
  ): Promise<DecisionRecord> {
    this.#record(version);
    const by = input.by.trim();
    const reason = input.reason.trim();
    if (by === '' || reason === '') {
      throw new EmberError(
        'EMBER_ERR_REGISTRY_BAD_INPUT',
        `a decision on ${version} needs who took it and why`,
      );
    }
    return this.#exclusively(version, () =>
      this.#decideLocked(version, to, { ...input, by, reason }, requiredFrom),
    );
  }

  async #decideLocked(
    version: string,
    to: ModelStatus,
    { by, reason, gate }: DecisionInput,
    requiredFrom?: ModelStatus,
  ): Promise<DecisionRecord> {
    const catalog = this.#catalog();
    // The store may hold decisions this catalogue has not seen (another machine, a crash): catch up first.
    const previous = await this.#objects.decisions(version);
    catalog.applyDecisions(version, previous);
    const from = this.#record(version).status;
    const problem =
      requiredFrom !== undefined && from !== requiredFrom
        ? `model ${version} is ${from}; only a ${requiredFrom} is decided by the gate`
        : transitionProblem(version, from, to);
    if (problem !== undefined) throw new EmberError('EMBER_ERR_REGISTRY_TRANSITION', problem);
    if (to === 'approved' && gate !== undefined) this.#assertGatePasses(version, gate);
    const decision: DecisionRecord = {
      schemaVersion: 1,
      version,
      seq: (previous.at(-1)?.seq ?? 0) + 1,
      from,
      to,
      by,
      reason,
      gate: gate ?? null,
      ts: this.#now().toISOString(),
    };
    await this.#objects.writeDecision(decision);
    catalog.applyDecisions(version, [decision]);
    this.#logger.info({ version, from, to, by }, 'model decision recorded');
    return decision;
  }

  /**
   * Runs `work` holding the model's lock in the catalogue, so registries
   * sharing it (the cloud's workers) register or decide on one model in
   * turn: the second sees what the first wrote to the store, instead of
   * overwriting it.
   */
  async #exclusively<T>(version: string, work: () => Promise<T>): Promise<T> {
    const name = `model:${version}`;
    const holder = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    let pause = 10;
    while (!this.#catalog().tryLock(name, holder, LOCK_TTL_MS)) {
      if (Date.now() >= deadline) {
        throw new EmberError(
          'EMBER_ERR_REGISTRY_BUSY',
          `model ${version} stayed locked by another registration or decision for ${LOCK_WAIT_MS / 1000} s`,
          { retryable: true },
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 250);
    }
    try {
      return await work();
    } finally {
      try {
        this.#catalogue?.unlock(name, holder);
      } catch (error) {
        // The work's outcome stands; the lock frees itself when it expires.
        this.#logger.warn({ err: error, lock: name }, 'could not release a registry lock');
      }
    }
  }

  #assertGatePasses(version: string, gate: GateVerdict): void {
    const problem = verdictProblem(version, gate, this.#catalog().current(version)?.version ?? null);
    if (problem !== undefined) {
      throw new EmberError('EMBER_ERR_REGISTRY_GATE_REFUSED', `cannot approve ${version}: ${problem}`);
    }
  }

  #record(version: string): ModelRecord {
    const record = this.#catalog().model(version);
    if (record === undefined) throw this.#notFound(version);
    return record;
  }

  #notFound(version: string, detail = 'not in the catalogue (rebuild it if the store has it)'): EmberError {
    return new EmberError(
      'EMBER_ERR_REGISTRY_NOT_FOUND',
      `no model ${version} in the registry at ${this.#objects.describe()}: ${detail}`,
    );
  }

  /** A catalogue read as a promise, so that a failure (not started) rejects instead of throwing. */
  #read<T>(query: (catalog: RegistryCatalog) => T): Promise<T> {
    // A throw inside the executor rejects the promise.
    return new Promise((resolve) => {
      resolve(query(this.#catalog()));
    });
  }

  #catalog(): RegistryCatalog {
    if (this.#catalogue === undefined) {
      throw new EmberError(
        'EMBER_ERR_NOT_STARTED',
        'the model registry is used before start() or after stop()',
      );
    }
    return this.#catalogue;
  }
}
