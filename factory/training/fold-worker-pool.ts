import { Worker } from 'node:worker_threads';
import { EmberError, type ErrorCode } from '../../shared/errors.js';
import type { FoldFit, FoldFitter, FoldJob, FoldProblem } from './fold-fitter.js';

/** What every fold worker receives once: the training set in shared memory, and the folds. */
export interface FoldWorkerSetup {
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly labels: Float64Array;
  readonly weights: Float64Array | undefined;
  readonly folds: readonly { readonly trainRows: Uint32Array; readonly validationRows: Uint32Array }[];
  readonly maxBins: number;
  readonly seed: number;
  readonly metric: string;
}

export type FoldWorkerReply =
  | { readonly ok: true; readonly fit: FoldFit }
  | { readonly ok: false; readonly code: ErrorCode | undefined; readonly message: string };

/** A copy of `source` in shared memory, so every worker reads it without a copy of its own. */
function sharedFloat64(source: ArrayLike<number>): Float64Array {
  const target = new Float64Array(new SharedArrayBuffer(source.length * Float64Array.BYTES_PER_ELEMENT));
  target.set(source);
  return target;
}

function setupOf(problem: FoldProblem): FoldWorkerSetup {
  const { features, labels, weights } = problem.data;
  const values = new Float32Array(new SharedArrayBuffer(features.values.byteLength));
  values.set(features.values);
  return {
    values,
    rows: features.rows,
    cols: features.cols,
    labels: sharedFloat64(labels),
    weights: weights === undefined ? undefined : sharedFloat64(weights),
    folds: problem.folds,
    maxBins: problem.maxBins,
    seed: problem.seed,
    metric: problem.metric.name,
  };
}

/**
 * Fold fits on worker threads of the compiled `fold-worker.js`. A job goes
 * to the first idle worker, in the order asked; each reply resolves its own
 * job, so the caller collects results by position and scheduling never
 * changes them.
 */
export class WorkerFoldFitter implements FoldFitter {
  readonly #threads: Worker[];
  readonly #idle: Worker[];
  readonly #waiting: { job: FoldJob; resolve: (fit: FoldFit) => void; reject: (e: Error) => void }[] = [];

  constructor(problem: FoldProblem, workers: number) {
    const setup = setupOf(problem);
    const url = new URL('./fold-worker.js', import.meta.url);
    this.#threads = Array.from(
      { length: Math.max(1, workers) },
      () => new Worker(url, { workerData: setup }),
    );
    this.#idle = [...this.#threads];
  }

  fit(job: FoldJob): Promise<FoldFit> {
    return new Promise<FoldFit>((resolve, reject) => {
      this.#waiting.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }

  #dispatch(): void {
    for (;;) {
      const thread = this.#idle.shift();
      if (thread === undefined) return;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#idle.unshift(thread);
        return;
      }
      const onError = (error: Error): void => {
        thread.off('message', onMessage);
        next.reject(error);
      };
      const onMessage = (reply: FoldWorkerReply): void => {
        thread.off('error', onError);
        this.#idle.push(thread);
        if (reply.ok) next.resolve(reply.fit);
        else next.reject(new EmberError(reply.code ?? 'EMBER_ERR_BAD_TRAINING_DATA', reply.message));
        this.#dispatch();
      };
      thread.once('message', onMessage);
      thread.once('error', onError);
      thread.postMessage(next.job);
    }
  }
}
