import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { listRunIds, type DatasetStage } from '../../shared/dataset/dataset-reader.js';
import { FEATURES_PREFIX, featureStoreSchema, SCHEMA_FILE } from './feature-columns.js';
import { writePartitions } from './features-pool.js';
import type { WrittenPartition } from './run-partition.js';
import { uploadFeatureStore } from './upload-feature-store.js';

export interface BuildFeatureStoreOptions {
  /** The dataset. */
  readonly store: ObjectStore;
  /** The dataset as `openObjectStore` takes it, for worker threads to open it again. */
  readonly target: string;
  readonly stage: DatasetStage;
  /** Local folder that receives `features/`. */
  readonly out: string;
  /** Also copy `features/` into the dataset's store (for datasets that are not this folder). */
  readonly upload: boolean;
  readonly workers: number;
  readonly logger: Logger;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FeatureStoreSummary {
  readonly runs: number;
  readonly rows: number;
  /** Parquet files written. */
  readonly files: number;
  /** The local folder holding `features/`. */
  readonly out: string;
  readonly classes: Record<string, number>;
  /** Where `features/` was copied to, when it was. */
  readonly uploaded: string | null;
}

/**
 * Computes the features of every run of a dataset and writes them as Parquet,
 * hive-partitioned by class and run, with `_schema.json` beside them. The
 * tree is built in a scratch folder and swapped in whole, so a reader never
 * sees a half-written store and runs gone from the dataset leave no files.
 */
export async function buildFeatureStore(options: BuildFeatureStoreOptions): Promise<FeatureStoreSummary> {
  const { store, stage, out, logger } = options;
  const runIds = await listRunIds(store, stage);
  if (runIds.length === 0) {
    throw new EmberError('EMBER_ERR_FEATURES_WRITE', `no ${stage} runs in ${store.describe()}`);
  }
  const scratch = join(out, `.features-${String(process.pid)}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  try {
    const partitions: WrittenPartition[] = [];
    await writePartitions(
      runIds,
      { store, target: options.target, stage, root: scratch, workers: options.workers },
      (partition) => {
        partitions.push(partition);
        options.onProgress?.(partitions.length, runIds.length);
      },
    );
    const rows = partitions.reduce((sum, p) => sum + p.rows, 0);
    const schema = featureStoreSchema(
      { dataset: store.describe(), stage },
      { runs: partitions.length, rows },
    );
    await writeFile(join(scratch, FEATURES_PREFIX, SCHEMA_FILE), `${JSON.stringify(schema, null, 2)}\n`);
    const final = join(out, FEATURES_PREFIX);
    await rm(final, { recursive: true, force: true });
    await rename(join(scratch, FEATURES_PREFIX), final);
    logger.info({ runs: partitions.length, rows, out: final }, 'feature store written');
    const classes: Record<string, number> = {};
    for (const p of partitions) classes[p.runClass] = (classes[p.runClass] ?? 0) + 1;
    const keys = [...partitions.map((p) => p.key), `${FEATURES_PREFIX}/${SCHEMA_FILE}`];
    let uploaded: string | null = null;
    if (options.upload) {
      await uploadFeatureStore(store, out, keys, logger);
      uploaded = `${options.target.replace(/\/+$/, '')}/${FEATURES_PREFIX}/`;
    }
    return { runs: partitions.length, rows, files: partitions.length, out, classes, uploaded };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
