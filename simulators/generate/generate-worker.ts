import { parentPort } from 'node:worker_threads';
import { generateRun, type GenerateRunOptions, type GeneratedRun } from './generate-run.js';
import type { RunPlan } from './run-plan.js';

/** Worker-thread entry: generates the runs the pool hands it, one at a time. */
export interface WorkerRequest {
  readonly plan: RunPlan;
  readonly options: GenerateRunOptions;
}

export type WorkerReply = { ok: true; run: GeneratedRun } | { ok: false; runId: string; message: string };

const port = parentPort;
port?.on('message', (request: WorkerRequest) => {
  generateRun(request.plan, request.options).then(
    (run) => {
      // Copy each file into its own buffer: small Buffers share Node's pool, which must not be transferred.
      const files = new Map([...run.files].map(([kind, bytes]) => [kind, new Uint8Array(bytes)] as const));
      const reply: WorkerReply = { ok: true, run: { ...run, files } };
      port.postMessage(
        reply,
        [...files.values()].map((bytes) => bytes.buffer),
      );
    },
    (error: unknown) => {
      const reply: WorkerReply = { ok: false, runId: request.plan.runId, message: String(error) };
      port.postMessage(reply);
    },
  );
});
