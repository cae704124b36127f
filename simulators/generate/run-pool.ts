import { Worker } from 'node:worker_threads';
import { EmberError } from '../../shared/errors.js';
import { generateRun, type GenerateRunOptions, type GeneratedRun } from './generate-run.js';
import type { WorkerReply } from './generate-worker.js';
import type { RunPlan } from './run-plan.js';

/**
 * Generates runs on `workers` threads (0 = in this thread). Each worker holds
 * one run at a time, so memory stays bounded whatever the dataset size.
 * Results arrive in completion order; every run depends only on its plan, so
 * the dataset is the same whatever the number of workers.
 */
export async function generateRuns(
  plans: readonly RunPlan[],
  options: GenerateRunOptions,
  workers: number,
  onRun: (run: GeneratedRun) => Promise<void>,
): Promise<void> {
  if (workers === 0) {
    for (const plan of plans) await onRun(await generateRun(plan, options));
    return;
  }
  const url = new URL('./generate-worker.js', import.meta.url);
  const threads = Array.from({ length: Math.min(workers, Math.max(1, plans.length)) }, () => new Worker(url));
  let next = 0;
  try {
    await Promise.all(
      threads.map(async (thread) => {
        // While this thread makes its next run, the previous one is stored: at most one waits per thread.
        let storing: Promise<void> = Promise.resolve();
        while (next < plans.length) {
          const plan = plans[next++];
          if (plan === undefined) break;
          const reply = await new Promise<WorkerReply>((resolve, reject) => {
            thread.once('message', resolve);
            thread.once('error', reject);
            thread.postMessage({ plan, options });
          });
          thread.removeAllListeners('error');
          await storing;
          if (!reply.ok)
            throw new EmberError('EMBER_ERR_BAD_RUN', `${reply.runId}: generation failed: ${reply.message}`);
          storing = onRun(reply.run);
          // Awaited before the next store or at the end; until then a failure must not count as unhandled.
          storing.catch(() => undefined);
        }
        await storing;
      }),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
