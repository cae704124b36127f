import { shippedRealFires } from '../../shared/package-files.js';
import { join } from 'node:path';
import type { CloudConfig } from '../config/cloud-config.js';
import type { PipelineRetrainerOptions } from '../learning/pipeline-retrainer.js';
import type { RolloutSettingsInput } from '../rollout/rollout-options.js';

/*
 * The configuration as each component's options: file names under
 * `dataDir`, and sections reshaped to what the component takes. Pure; the
 * composition root (cloud-service.ts) builds and wires the components.
 */

/** A component's SQLite file or folder under `dataDir`. */
export function dataPath(config: CloudConfig, name: string): string {
  return join(config.dataDir, name);
}

/** The fields that are set: settings objects take `undefined` as 'use my default' only when left out. */
export function definedOnly<T extends object>(
  section: T,
): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(section).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}

/**
 * The rollout component's settings: the config section without the canary
 * share, which each start takes, and with the public URL devices fetch
 * manifests from when one is configured.
 */
export function rolloutSettings(config: CloudConfig): RolloutSettingsInput {
  const { canaryShare: _share, ...settings } = config.rollout;
  const publicBaseUrl = config.http.publicBaseUrl;
  return { ...settings, ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }) };
}

/** Where the learning agent keeps the field data it collects. */
export function fieldDataDir(config: CloudConfig): string {
  return config.learning.fieldDataDir ?? dataPath(config, 'field-data');
}

/**
 * The retrainer's options but the registry and logger, or undefined when
 * the configuration names no training or held-out data (then the learning
 * agent only collects).
 */
export function retrainerSettings(
  config: CloudConfig,
): Omit<PipelineRetrainerOptions, 'registry' | 'logger'> | undefined {
  const learning = config.learning;
  if (learning.trainingData === undefined || learning.heldOutData === undefined) return undefined;
  return {
    trainingData: learning.trainingData,
    heldOutData: learning.heldOutData,
    fieldDataDir: fieldDataDir(config),
    realFires: learning.realFires ?? [shippedRealFires()].filter((d): d is string => d !== undefined),
    workDir: dataPath(config, 'retrained'),
    ...(learning.trials === undefined ? {} : { trials: learning.trials }),
  };
}
