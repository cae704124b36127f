import { parentPort, workerData } from 'node:worker_threads';
import { isEmberError } from '../../shared/errors.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { openEvaluationModel } from './evaluation-model.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './evaluate-pool.js';
import { scoreStoredRun } from './score-stored-run.js';

// One worker thread of the evaluation pool: its own store client and model
// (an ONNX session cannot cross threads), then one run per request. The
// pool terminates the thread when it is done, which frees both.
const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('evaluate-worker must run as a worker thread');
const store = openObjectStore(setup.data);
const { model, policy } = await openEvaluationModel(setup.model);

port.on('message', (request: WorkerRequest) => {
  scoreStoredRun(store, request.runId, model, policy).then(
    (outcome) => {
      port.postMessage({ ok: true, outcome } satisfies WorkerReply);
    },
    (error: unknown) => {
      port.postMessage({
        ok: false,
        runId: request.runId,
        code: isEmberError(error) ? error.code : undefined,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerReply);
    },
  );
});
