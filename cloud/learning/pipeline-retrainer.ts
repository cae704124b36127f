import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { writeModelDir } from '../../shared/model/model-dir.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { evaluateDataset } from '../../factory/evaluation/evaluate-dataset.js';
import { evaluationFigures } from '../../factory/evaluation/evaluation-figures.js';
import { summaryFromFigures } from '../../factory/evaluation/summarise.js';
import { computeFeatureRuns, readFeatureStore } from '../../factory/pipeline/feature-runs.js';
import type { FeatureRun } from '../../factory/pipeline/run-features.js';
import { trainPipeline } from '../../factory/pipeline/train-pipeline.js';
import type { GateCriteria } from '../../factory/registry/gate.js';
import type { ModelRegistry } from '../../factory/registry/model-registry.js';
import { loadModelDir } from '../../shared/model/model-dir.js';
import { checkRecordings } from '../../factory/registry/recording-checks.js';
import { fieldRun, readFieldData } from './field-data.js';
import { recordingRuns } from '../../factory/pipeline/recording-runs.js';
import type { Retrainer, RetrainResult } from './learning-types.js';

export interface PipelineRetrainerOptions {
  readonly registry: Pick<ModelRegistry, 'register' | 'decide'>;
  /** The synthetic training dataset (folder or s3:// URL); its features/ store is used when present. */
  readonly trainingData: string;
  /** A held-out dataset the new model is evaluated on for the registry gate. */
  readonly heldOutData: string;
  /** The learning agent's field-data folder (field windows, and labelled recordings under recordings/). */
  readonly fieldDataDir: string;
  /** Real-fire folders every candidate is replayed on before the gate decides (never silent, nothing before ignition). */
  readonly realFires?: readonly string[];
  /** Where each new model's folder is written before registration. */
  readonly workDir: string;
  readonly trials?: number;
  readonly folds?: number;
  readonly seed?: number;
  readonly nTrees?: number;
  /** Evaluation worker threads; 0 scores in this thread. */
  readonly workers?: number;
  readonly gate?: z.input<typeof GateCriteria>;
  readonly logger?: Logger;
}

/**
 * Retrains with the real pipeline: the synthetic dataset's runs plus every
 * labelled field window (each as a short run, fire from the incident's
 * opening or nuisance) and every labelled incident recording, trainPipeline,
 * an evaluation on the held-out dataset, registration, and the registry
 * gate's decision, which also replays the real-fire folders and the labelled
 * recordings with the candidate.
 */
export class PipelineRetrainer implements Retrainer {
  readonly #options: PipelineRetrainerOptions;
  readonly #log: Logger;

  constructor(options: PipelineRetrainerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'retrainer' });
  }

  async retrain(reason: string): Promise<RetrainResult> {
    const o = this.#options;
    const synthetic = await this.#syntheticRuns();
    const field = await readFieldData(o.fieldDataDir);
    const windowRuns = field.windows.map(fieldRun).filter((r): r is FeatureRun => r !== undefined);
    const recorded = await recordingRuns(o.fieldDataDir);
    const fieldRuns = [...windowRuns, ...recorded.runs];
    const notes = [
      `${synthetic.length} synthetic runs, ${windowRuns.length} labelled field windows and ${recorded.runs.length} labelled recordings went into training`,
      ...(recorded.skipped.length === 0 ? [] : [`skipped recordings ${recorded.skipped.join(', ')}`]),
      ...(field.skipped.length === 0
        ? []
        : [`skipped unreadable field-data lines ${field.skipped.join(', ')}`]),
    ];
    this.#log.info({ reason, synthetic: synthetic.length, field: fieldRuns.length }, 'retraining');
    const dataSha256 = createHash('sha256')
      .update(`${o.trainingData}\n${field.sha256}\n${recorded.sha256}`)
      .digest('hex');
    const trained = await trainPipeline({
      runs: [...synthetic, ...fieldRuns],
      trials: o.trials ?? 8,
      folds: o.folds ?? 3,
      seed: o.seed ?? 1,
      nTrees: o.nTrees ?? 120,
      dataSha256,
      dataDescription: `${o.trainingData} (${synthetic.length} runs) + ${windowRuns.length} field windows + ${recorded.runs.length} recordings; retrained because ${reason}`,
      logger: this.#log,
    });
    const version = trained.manifest.version;
    const dir = join(o.workDir, version);
    await mkdir(dir, { recursive: true });
    await writeModelDir(dir, trained.manifest, trained.onnx);
    const evaluated = await evaluateDataset({ data: o.heldOutData, model: dir, workers: o.workers ?? 0 });
    const evaluation = summaryFromFigures(evaluationFigures(evaluated.outcomes), {
      modelVersion: version,
      heldOutSeeds: evaluated.heldOutSeeds,
    });
    const createdAt = trained.manifest.createdAt;
    await o.registry.register({
      modelBytes: trained.onnx,
      manifest: trained.manifest,
      evaluation,
      experiments: trained.experiments.map((e) => ({
        id: e.id,
        params: { ...e.params },
        metrics: { ...e.metrics },
        dataSha256: e.dataSha256,
        createdAt,
      })),
    });
    const model = await loadModelDir(dir);
    let recordings;
    try {
      recordings = await checkRecordings(model, model.manifest.alarm, {
        realFires: o.realFires ?? [],
        fieldDataDir: o.fieldDataDir,
      });
    } finally {
      await model.close();
    }
    const { gate } = await o.registry.decide(version, o.gate ?? {}, { by: 'learning-agent' }, recordings);
    this.#log.info({ version, approved: gate.approved }, 'retrained model decided');
    return { version, approved: gate.approved, verdict: gate, notes };
  }

  async #syntheticRuns(): Promise<FeatureRun[]> {
    const data = this.#options.trainingData;
    const features = join(data, 'features');
    if (!data.startsWith('s3://') && existsSync(join(features, '_schema.json'))) {
      return readFeatureStore(features);
    }
    const store = openObjectStore(data);
    try {
      return await computeFeatureRuns(store);
    } finally {
      await store.close();
    }
  }
}
