import { Worker } from 'node:worker_threads';
import { EmberError, ErrorCodes, type ErrorCode } from '../../shared/errors.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import type { DatasetStage } from '../../shared/dataset/dataset-reader.js';
import type { FeaturesWorkerReply, FeaturesWorkerSetup } from './features-worker.js';
import { ParquetRunWriter } from './parquet-run-writer.js';
import { writeRunPartition, type WrittenPartition } from './run-partition.js';

export interface PartitionJob {
  readonly store: ObjectStore;
  /** What `openObjectStore` takes to open the same dataset again inside a worker. */
  readonly target: string;
  readonly stage: DatasetStage;
  /** Local folder the `features/` tree is written under. */
  readonly root: string;
  /** Worker threads; 0 computes and writes in this thread. */
  readonly workers: number;
}

function replyError(reply: Extract<FeaturesWorkerReply, { ok: false }>): EmberError {
  const code: ErrorCode =
    reply.code !== null && reply.code in ErrorCodes ? (reply.code as ErrorCode) : 'EMBER_ERR_FEATURES_WRITE';
  return new EmberError(code, `${reply.runId}: ${reply.message}`);
}

/**
 * Writes one Parquet file per run. Each worker reads its runs, computes
 * their features and writes their files itself, so reading, the feature
 * pipeline and Parquet encoding all run in parallel; results arrive in
 * completion order.
 */
export async function writePartitions(
  runIds: readonly string[],
  job: PartitionJob,
  onPartition: (partition: WrittenPartition) => void,
): Promise<void> {
  if (job.workers === 0 || runIds.length === 0) {
    const writer = await ParquetRunWriter.open();
    try {
      for (const runId of runIds) {
        onPartition(await writeRunPartition(job.store, runId, job.stage, job.root, writer));
      }
    } finally {
      writer.close();
    }
    return;
  }
  const url = new URL('./features-worker.js', import.meta.url);
  const workerData: FeaturesWorkerSetup = { target: job.target, stage: job.stage, root: job.root };
  const threads = Array.from(
    { length: Math.min(job.workers, runIds.length) },
    () => new Worker(url, { workerData }),
  );
  let next = 0;
  try {
    await Promise.all(
      threads.map(async (thread) => {
        for (let runId = runIds[next++]; runId !== undefined; runId = runIds[next++]) {
          const id = runId;
          const reply = await new Promise<FeaturesWorkerReply>((resolve, reject) => {
            thread.once('message', resolve);
            thread.once('error', reject);
            thread.postMessage(id);
          });
          thread.removeAllListeners('error');
          if (!reply.ok) throw replyError(reply);
          onPartition(reply.partition);
        }
      }),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
