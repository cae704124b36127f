import { thermalPng } from '../../shared/charts/index.js';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import type { Mcu90640FrameRate } from '../sensors/mcu90640-model.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { thermalFrame } from '../../shared/dataset/run-trace.js';
import { simulateRun } from '../sensors/simulate-run.js';
import { encodeRunFiles, type RunFileKind } from '../../shared/dataset/run-files.js';
import { fitToDuration, type RunPlan } from './run-plan.js';
import { sha256, validateRunFiles } from './validate-run.js';

export interface GenerateRunOptions {
  /** Every run lasts this long; each template's own duration when absent. */
  readonly durationS?: number;
  readonly thermalHz: Mcu90640FrameRate;
}

/** One generated run, ready to store: its files, their checksums and what the catalogue records. */
export interface GeneratedRun {
  readonly plan: RunPlan;
  readonly durationS: number;
  readonly files: Map<RunFileKind, Uint8Array>;
  readonly sha256: Map<RunFileKind, string>;
  readonly labelsJson: string;
  readonly scenarioJson: string;
  /**
   * Why validation rejects the encoded files (empty when accepted). The
   * validation stage reads the bytes back with the decoders, so it runs
   * where the run was made, in parallel, on exactly the bytes that are stored.
   */
  readonly rejections: readonly string[];
}

/** Index of the thermal frame holding the hottest pixel of the run. */
export function peakFrameIndex(trace: RunTrace): number {
  const { pixels_centi: pixels, width, height } = trace.sensors.mcu90640;
  const n = width * height;
  let best = 0;
  let hottest = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    if ((pixels[i] ?? -Infinity) > hottest) {
      hottest = pixels[i] ?? -Infinity;
      best = Math.floor(i / n);
    }
  }
  return best;
}

/** Simulates one planned run and encodes its files, the preview image included. */
export async function generateRun(plan: RunPlan, options: GenerateRunOptions): Promise<GeneratedRun> {
  const drawn = drawScenario(plan.template, plan.seed);
  const scenario = options.durationS === undefined ? drawn : fitToDuration(drawn, options.durationS);
  const durationS = options.durationS ?? scenario.suggested_duration_s;
  const trace = simulateRun(scenario, { durationS, thermalHz: options.thermalHz });
  const files = encodeRunFiles(trace, {
    runId: plan.runId,
    index: plan.index,
    seed: plan.seed,
    template: plan.template,
    durationS,
    thermalHz: options.thermalHz,
  });
  if (trace.sensors.mcu90640.t_s.length > 0) {
    const frame = thermalFrame(trace.sensors.mcu90640, peakFrameIndex(trace));
    files.set(
      'preview',
      await thermalPng(frame, { scale: 10, legend: true, caption: `${plan.runId} ${plan.template}` }),
    );
  }
  const checksums = new Map([...files].map(([kind, bytes]) => [kind, sha256(bytes)] as const));
  return {
    rejections: validateRunFiles(files, checksums),
    plan,
    durationS,
    files,
    sha256: checksums,
    labelsJson: JSON.stringify(trace.labels),
    scenarioJson: JSON.stringify(scenario),
  };
}
