import { EmberError } from '../../shared/errors.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { readRun } from '../../shared/dataset/dataset-reader.js';
import { drawScenario, isTemplateName, TEMPLATE_NAMES } from '../scenarios/scenario-catalogue.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { simulateRun } from '../sensors/simulate-run.js';

/** A run ready to play or plot, wherever it came from. */
export interface LoadedRun {
  /** The dataset's run id, or `<template>-seed<seed>` for a run simulated here. */
  readonly runId: string;
  readonly template: string;
  readonly trace: RunTrace;
}

export interface LoadRunOptions {
  /** Seed of a template simulated on the fly (default 1). */
  readonly seed?: number;
  /** A dataset folder or s3:// URL: `name` is then a run id of its validated stage. */
  readonly data?: string;
}

/**
 * Resolves `name` to a run. With `data`, `name` is a run id read from the
 * dataset's validated stage (EMBER_ERR_BAD_RUN when missing or invalid).
 * Without it, `name` is a scenario template, drawn with `seed` and simulated
 * for the template's own duration with the camera at its default rate;
 * anything else is EMBER_ERR_BAD_OPTION, as the caller asked for what no
 * template is.
 */
export async function loadRun(name: string, options: LoadRunOptions = {}): Promise<LoadedRun> {
  if (options.data !== undefined) {
    const store = openObjectStore(options.data);
    try {
      const { meta, trace } = await readRun(store, name, 'validated');
      return { runId: meta.runId, template: meta.template, trace };
    } finally {
      await store.close();
    }
  }
  if (!isTemplateName(name)) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `unknown scenario "${name}": expected a template (${TEMPLATE_NAMES.join(', ')}) or a run id with --data`,
    );
  }
  const seed = options.seed ?? 1;
  const trace = simulateRun(drawScenario(name, seed));
  return { runId: `${name}-seed${String(seed)}`, template: name, trace };
}
