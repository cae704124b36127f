import { parentPort, workerData } from 'node:worker_threads';
import { isEmberError } from '../../shared/errors.js';
import { InThreadFoldFitter, metricNamed, type FoldJob } from './fold-fitter.js';
import type { FoldWorkerReply, FoldWorkerSetup } from './fold-worker-pool.js';

// One thread of the fold pool: the training set arrives in shared memory,
// then one fold fit per message, answered in order.
const setup = workerData as FoldWorkerSetup;
const port = parentPort;
if (port === null) throw new Error('fold-worker must run as a worker thread');
const fitter = new InThreadFoldFitter({
  data: {
    features: { values: setup.values, rows: setup.rows, cols: setup.cols },
    labels: setup.labels,
    ...(setup.weights === undefined ? {} : { weights: setup.weights }),
  },
  folds: setup.folds,
  maxBins: setup.maxBins,
  seed: setup.seed,
  metric: metricNamed(setup.metric),
});

port.on('message', (job: FoldJob) => {
  let reply: FoldWorkerReply;
  try {
    reply = { ok: true, fit: fitter.fitNow(job) };
  } catch (error) {
    reply = {
      ok: false,
      code: isEmberError(error) ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  port.postMessage(reply);
});
