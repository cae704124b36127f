import { join } from 'node:path';
import type { ObjectStore } from '../../shared/object-store/index.js';
import type { DatasetStage } from '../../shared/dataset/dataset-reader.js';
import { partitionKey } from './feature-columns.js';
import type { ParquetRunWriter } from './parquet-run-writer.js';
import { readRunFeatureRows, rowCount, type RunFeatureRows } from './run-feature-rows.js';

/** One run's Parquet file, written under the local root. */
export interface WrittenPartition {
  readonly runId: string;
  readonly runClass: RunFeatureRows['runClass'];
  readonly rows: number;
  /** Relative to the root, '/'-separated: features/class=…/run=…/data.parquet. */
  readonly key: string;
}

/** Reads a run, computes its features, and writes them to `<root>/features/class=…/run=…/data.parquet`. */
export async function writeRunPartition(
  store: ObjectStore,
  runId: string,
  stage: DatasetStage,
  root: string,
  writer: ParquetRunWriter,
): Promise<WrittenPartition> {
  const rows = await readRunFeatureRows(store, runId, stage);
  const key = partitionKey(rows.runClass, runId);
  await writer.write(rows, join(root, ...key.split('/')));
  return { runId, runClass: rows.runClass, rows: rowCount(rows), key };
}
