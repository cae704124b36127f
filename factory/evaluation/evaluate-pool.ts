import { Worker } from 'node:worker_threads';
import { EmberError, type ErrorCode } from '../../shared/errors.js';
import type { RunOutcome } from './run-outcome.js';

/** What every worker opens once. */
export interface WorkerSetup {
  /** The dataset: a folder or s3:// URL. */
  readonly data: string;
  /** `rules` or a model folder. */
  readonly model: string;
}

export interface WorkerRequest {
  readonly runId: string;
}

export type WorkerReply =
  | { readonly ok: true; readonly outcome: RunOutcome }
  | {
      readonly ok: false;
      readonly runId: string;
      readonly code: ErrorCode | undefined;
      readonly message: string;
    };

function ask(thread: Worker, runId: string): Promise<WorkerReply> {
  return new Promise<WorkerReply>((resolve, reject) => {
    const onError = (error: Error): void => {
      thread.off('message', onMessage);
      reject(error);
    };
    const onMessage = (reply: WorkerReply): void => {
      thread.off('error', onError);
      resolve(reply);
    };
    thread.once('message', onMessage);
    thread.once('error', onError);
    thread.postMessage({ runId } satisfies WorkerRequest);
  });
}

/**
 * Scores runs on `workers` threads of the compiled worker, each with its own
 * model; outcomes come back in the order of `runIds`. The first failure
 * stops the evaluation: a summary missing runs would look better than it is.
 */
export async function scoreRunsInWorkers(
  setup: WorkerSetup,
  runIds: readonly string[],
  workers: number,
  onRun: () => void,
): Promise<RunOutcome[]> {
  const url = new URL('./evaluate-worker.js', import.meta.url);
  const count = Math.max(1, Math.min(workers, runIds.length));
  const threads = Array.from({ length: count }, () => new Worker(url, { workerData: setup }));
  const outcomes = new Map<string, RunOutcome>();
  let next = 0;
  try {
    await Promise.all(
      threads.map(async (thread) => {
        for (let i = next++; i < runIds.length; i = next++) {
          const runId = runIds[i] ?? '';
          const reply = await ask(thread, runId);
          if (!reply.ok) {
            throw new EmberError(
              reply.code ?? 'EMBER_ERR_EVALUATION',
              `run ${reply.runId}: ${reply.message}`,
            );
          }
          outcomes.set(runId, reply.outcome);
          onRun();
        }
      }),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return runIds.map((id) => {
    const outcome = outcomes.get(id);
    if (outcome === undefined) throw new EmberError('EMBER_ERR_EVALUATION', `run ${id} was not scored`);
    return outcome;
  });
}
