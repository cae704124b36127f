import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { ModelManifest } from '../../shared/model/manifest.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { DecisionRecord, statusAfter } from './decision.js';
import { EvaluationSummary, headlineMetrics } from './evaluation-summary.js';
import { Experiment } from './experiment.js';
import type { CatalogSnapshot, ModelRecord } from './registry-catalog.js';
import {
  decisionKey,
  decisionSeqOf,
  EXPERIMENTS_PREFIX,
  experimentKey,
  MODELS_PREFIX,
  modelKeys,
  registeredVersions,
  RegistryName,
} from './registry-layout.js';

const JSON_TYPE = { contentType: 'application/json' };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function jsonBody(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The catalogue row a model's objects describe. */
export function modelRecord(
  manifest: ModelManifest,
  evaluation: EvaluationSummary,
  decisions: readonly DecisionRecord[],
): ModelRecord {
  const last = decisions.at(-1);
  return {
    version: manifest.version,
    createdAt: manifest.createdAt,
    family: manifest.family,
    sha256: manifest.model.sha256,
    dataSha256: manifest.data.sha256,
    status: statusAfter(decisions),
    decidedAt: last?.ts ?? null,
    decidedBy: last?.by ?? null,
    reason: last?.reason ?? null,
    metrics: headlineMetrics(evaluation),
  };
}

/** A registered model's objects that could not be read back, and why. */
export interface SkippedObject {
  key: string;
  problem: string;
}

export interface RebuildResult {
  models: number;
  experiments: number;
  decisions: number;
  skipped: SkippedObject[];
}

/** What a complete registration writes. */
export interface ModelObjects {
  modelBytes: Uint8Array;
  manifest: ModelManifest;
  evaluation: EvaluationSummary;
  report?: string | Uint8Array;
}

/**
 * The registry's objects in the store, the source of truth: typed reads that
 * validate what comes back, and writes in an order that makes the manifest
 * the commit point of a registration.
 */
export class RegistryObjects {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  describe(): string {
    return this.#store.describe();
  }

  async readJson<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S>> {
    const text = await this.#store.getText(key);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new EmberError('EMBER_ERR_REGISTRY_CORRUPT', `${key} in ${this.describe()} is not JSON`, {
        cause: error,
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EmberError(
        'EMBER_ERR_REGISTRY_CORRUPT',
        `${key} in ${this.describe()} fails its schema at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
      );
    }
    return parsed.data;
  }

  /** The manifest, or undefined when no registration of `version` completed. */
  async manifest(version: string): Promise<ModelManifest | undefined> {
    try {
      return await this.readJson(modelKeys(version).manifest, ModelManifest);
    } catch (error) {
      if (isEmberError(error, 'EMBER_ERR_STORE_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  evaluation(version: string): Promise<EvaluationSummary> {
    return this.readJson(modelKeys(version).evaluation, EvaluationSummary);
  }

  /** A plain Uint8Array view (adapters may hand out Buffers), so callers compare like with like. */
  async modelBytes(version: string): Promise<Uint8Array> {
    const bytes = await this.#store.get(modelKeys(version).model);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  hasReport(version: string): Promise<boolean> {
    return this.#store.exists(modelKeys(version).report);
  }

  /** Every decision of a model, in order; `keys` saves a listing when the caller has one. */
  async decisions(version: string, keys?: readonly string[]): Promise<DecisionRecord[]> {
    const prefix = modelKeys(version).decisions;
    const listed = keys ?? (await this.#store.list(prefix));
    const decisionKeys = listed.filter((k) => k.startsWith(prefix) && decisionSeqOf(k) !== undefined);
    const decisions = await Promise.all(decisionKeys.map((k) => this.readJson(k, DecisionRecord)));
    decisions.sort((a, b) => a.seq - b.seq);
    for (const [index, decision] of decisions.entries()) {
      if (decision.version !== version || decision.seq !== index + 1) {
        throw new EmberError(
          'EMBER_ERR_REGISTRY_CORRUPT',
          `decision ${decision.seq} under ${prefix} in ${this.describe()} is out of sequence or of another model`,
        );
      }
    }
    return decisions;
  }

  /** Writes the model's objects; the manifest goes last, so that a crash leaves no half-registered model. */
  async writeModel(objects: ModelObjects): Promise<void> {
    const keys = modelKeys(objects.manifest.version);
    await this.#store.put(keys.model, objects.modelBytes, { contentType: 'application/octet-stream' });
    await this.#store.put(keys.evaluation, jsonBody(objects.evaluation), JSON_TYPE);
    if (objects.report !== undefined) {
      await this.#store.put(keys.report, objects.report, { contentType: 'text/html; charset=utf-8' });
    }
    await this.#store.put(keys.manifest, jsonBody(objects.manifest), JSON_TYPE);
  }

  writeExperiment(experiment: Experiment): Promise<void> {
    return this.#store.put(experimentKey(experiment.id), jsonBody(experiment), JSON_TYPE);
  }

  writeDecision(decision: DecisionRecord): Promise<void> {
    return this.#store.put(decisionKey(decision.version, decision.seq), jsonBody(decision), JSON_TYPE);
  }

  async hasModels(): Promise<boolean> {
    return registeredVersions(await this.#store.list(MODELS_PREFIX)).length > 0;
  }

  /**
   * Reads every complete registration and experiment back. A model whose
   * objects are missing or fail their schema is left out and reported, so
   * that one damaged object does not hide the rest of the registry.
   */
  async snapshot(): Promise<{ snapshot: CatalogSnapshot; skipped: SkippedObject[] }> {
    const keys = await this.#store.list(MODELS_PREFIX);
    const present = new Set(keys);
    const snapshot: CatalogSnapshot = { models: [], experiments: [] };
    const skipped: SkippedObject[] = [];
    for (const version of registeredVersions(keys)) {
      const objectKeys = modelKeys(version);
      try {
        if (!RegistryName.safeParse(version).success)
          throw new Error('the folder name is not a valid version');
        if (!present.has(objectKeys.model)) throw new Error('model.onnx is missing');
        const manifest = await this.readJson(objectKeys.manifest, ModelManifest);
        if (manifest.version !== version) throw new Error(`the manifest names version ${manifest.version}`);
        const evaluation = await this.evaluation(version);
        const decisions = await this.decisions(version, keys);
        snapshot.models.push({ record: modelRecord(manifest, evaluation, decisions), decisions });
      } catch (error) {
        skipped.push({
          key: objectKeys.folder,
          problem: error instanceof Error ? error.message : String(error),
        });
      }
    }
    for (const key of await this.#store.list(EXPERIMENTS_PREFIX)) {
      try {
        snapshot.experiments.push(await this.readJson(key, Experiment));
      } catch (error) {
        skipped.push({ key, problem: error instanceof Error ? error.message : String(error) });
      }
    }
    return { snapshot, skipped };
  }
}
