import { parentPort, workerData } from 'node:worker_threads';
import { isEmberError } from '../../shared/errors.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import type { DatasetStage } from '../../shared/dataset/dataset-reader.js';
import { ParquetRunWriter } from './parquet-run-writer.js';
import { writeRunPartition, type WrittenPartition } from './run-partition.js';

/** Worker-thread entry: turns the run ids the pool hands it into Parquet files, one at a time. */
export interface FeaturesWorkerSetup {
  /** The dataset, as `openObjectStore` takes it: each worker opens its own store. */
  readonly target: string;
  readonly stage: DatasetStage;
  readonly root: string;
}

export type FeaturesWorkerReply =
  | { ok: true; partition: WrittenPartition }
  | { ok: false; runId: string; code: string | null; message: string };

const port = parentPort;
const setup = workerData as FeaturesWorkerSetup;
const store = openObjectStore(setup.target);
// One DuckDB thread per worker: the pool already keeps every core busy.
const writer = ParquetRunWriter.open(1);
// A failure to open is reported with each run's reply, not as an unhandled rejection.
writer.catch(() => undefined);

port?.on('message', (runId: string) => {
  writer
    .then((w) => writeRunPartition(store, runId, setup.stage, setup.root, w))
    .then(
      (partition) => {
        const reply: FeaturesWorkerReply = { ok: true, partition };
        port.postMessage(reply);
      },
      (error: unknown) => {
        const code = isEmberError(error) ? error.code : null;
        const message = error instanceof Error ? error.message : String(error);
        const reply: FeaturesWorkerReply = { ok: false, runId, code, message };
        port.postMessage(reply);
      },
    );
});
