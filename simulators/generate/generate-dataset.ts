import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import type { Mcu90640FrameRate } from '../sensors/mcu90640-model.js';
import { DatasetCatalog } from './dataset-catalog.js';
import type { GeneratedRun } from './generate-run.js';
import { generateRuns } from './run-pool.js';
import { runFileKey } from '../../shared/dataset/run-files.js';
import { planRun, type Mix, type RunClassKind } from './run-plan.js';

export const DATASET_SCHEMA_VERSION = 1;

export interface GenerateDatasetOptions {
  readonly store: ObjectStore;
  readonly runs: number;
  readonly seed: number;
  readonly mix: Mix;
  readonly durationS?: number;
  readonly thermalHz: Mcu90640FrameRate;
  /** Worker threads; 0 generates in the calling thread. */
  readonly workers: number;
  readonly logger?: Logger;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DatasetSummary {
  readonly runs: number;
  readonly accepted: number;
  readonly rejected: { runId: string; reasons: string[] }[];
  readonly classes: Record<RunClassKind, number>;
  /** SHA-256 over every run's id, status and file checksums in index order: equal datasets, equal fingerprints. */
  readonly fingerprint: string;
}

/**
 * The dataset workflow: plan every run from the seed, generate them in
 * parallel, store raw files, validate each run, copy accepted runs to the
 * validated stage, and write the catalogue, the validation report and the
 * manifest. Same seed and options, same dataset, whatever the worker count.
 */
export async function generateDataset(options: GenerateDatasetOptions): Promise<DatasetSummary> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'generate' });
  const { store } = options;
  const plans = Array.from({ length: options.runs }, (_, i) => planRun(options.seed, i, options.mix));
  const workDir = await mkdtemp(join(tmpdir(), 'emberwatch-generate-'));
  const catalogFile = join(workDir, 'catalog.sqlite');
  const catalog = new DatasetCatalog(catalogFile);
  const rejected: { runId: string; reasons: string[] }[] = [];
  const classes: Record<RunClassKind, number> = { fire: 0, nuisance: 0, normal: 0 };
  let done = 0;

  const store_ = async (run: GeneratedRun): Promise<void> => {
    const id = run.plan.runId;
    await Promise.all([...run.files].map(([kind, bytes]) => store.put(runFileKey('raw', kind, id), bytes)));
    const reasons = [...run.rejections];
    if (reasons.length === 0) {
      await Promise.all(
        [...run.files].map(([kind, bytes]) => store.put(runFileKey('validated', kind, id), bytes)),
      );
      const kind = (JSON.parse(run.labelsJson) as { class: { kind: RunClassKind } }).class.kind;
      classes[kind]++;
    } else {
      rejected.push({ runId: id, reasons });
      logger.warn({ runId: id, reasons }, 'run rejected by validation');
    }
    catalog.addRun(run, options.thermalHz, reasons);
    options.onProgress?.(++done, plans.length);
  };

  try {
    await generateRuns(
      plans,
      { durationS: options.durationS, thermalHz: options.thermalHz },
      options.workers,
      store_,
    );
    const fingerprint = createHash('sha256');
    for (const row of catalog.fingerprintRows())
      fingerprint.update(`${row.run_id} ${row.status} ${row.files}\n`);
    const summary: DatasetSummary = {
      runs: plans.length,
      accepted: plans.length - rejected.length,
      rejected: rejected.sort((a, b) => a.runId.localeCompare(b.runId)),
      classes,
      fingerprint: fingerprint.digest('hex'),
    };
    const manifest = {
      schemaVersion: DATASET_SCHEMA_VERSION,
      generator: 'emberwatch',
      seed: options.seed,
      mix: options.mix,
      durationS: options.durationS ?? null,
      thermalHz: options.thermalHz,
      ...summary,
      createdAt: new Date().toISOString(),
      layout: {
        raw: 'raw/{thermal,gas,environmental,labels}/RUN.*',
        validated: 'validated/{thermal,gas,environmental,labels}/RUN.*',
        catalog: 'catalog.sqlite',
        validationReport: 'reports/validation.json',
      },
    };
    catalog.setInfo('manifest', manifest);
    catalog.close();
    await store.put(
      'reports/validation.json',
      JSON.stringify(
        { checked: summary.runs, accepted: summary.accepted, rejected: summary.rejected },
        null,
        2,
      ),
    );
    await store.putFile('catalog.sqlite', catalogFile);
    await store.put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
    logger.info(
      {
        runs: summary.runs,
        accepted: summary.accepted,
        rejected: summary.rejected.length,
        store: store.describe(),
      },
      'dataset written',
    );
    return summary;
  } finally {
    catalog.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
