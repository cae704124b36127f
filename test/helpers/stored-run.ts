import { FolderStore } from '../../shared/object-store/index.js';
import { encodeRunFiles, runFileKey } from '../../shared/dataset/run-files.js';
import { drawScenario } from '../../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../../simulators/sensors/simulate-run.js';

/** Simulates a short run of `template` and stores it in the validated stage of a dataset folder, as the generator would. */
export async function storeShortRun(
  root: string,
  runId: string,
  options: { template?: string; seed?: number; durationS: number },
): Promise<void> {
  const template = options.template ?? 'tf4';
  const seed = options.seed ?? 3;
  const trace = simulateRun(drawScenario(template, seed), { durationS: options.durationS });
  const files = encodeRunFiles(trace, {
    runId,
    index: 0,
    seed,
    template,
    durationS: options.durationS,
    thermalHz: 4,
  });
  const store = new FolderStore(root);
  try {
    for (const [kind, bytes] of files) await store.put(runFileKey('validated', kind, runId), bytes);
  } finally {
    await store.close();
  }
}
