import { z } from 'zod';

/**
 * A model version or experiment id: one safe path segment, so that it can
 * name objects in a folder or a bucket and still read well in a shell.
 */
export const RegistryName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/,
    'expected 1-128 characters of A-Z a-z 0-9 . _ + -, starting with a letter or digit',
  );

export const MODELS_PREFIX = 'models/';
export const EXPERIMENTS_PREFIX = 'experiments/';

/** Where each object of a model lives in the store. */
export function modelKeys(version: string): {
  folder: string;
  model: string;
  manifest: string;
  evaluation: string;
  report: string;
  decisions: string;
} {
  const folder = `${MODELS_PREFIX}${version}/`;
  return {
    folder,
    model: `${folder}model.onnx`,
    manifest: `${folder}manifest.json`,
    evaluation: `${folder}evaluation.json`,
    report: `${folder}report.html`,
    decisions: `${folder}decisions/`,
  };
}

const SEQ_DIGITS = 6;

/** Decisions are numbered from 1; zero-padding keeps key order equal to decision order. */
export function decisionKey(version: string, seq: number): string {
  return `${modelKeys(version).decisions}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
}

/** The sequence number of a decision key, or undefined for any other key. */
export function decisionSeqOf(key: string): number | undefined {
  const match = /\/decisions\/(\d+)\.json$/.exec(key);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function experimentKey(id: string): string {
  return `${EXPERIMENTS_PREFIX}${id}.json`;
}

/** The versions that have a manifest, i.e. whose registration completed. */
export function registeredVersions(keys: readonly string[]): string[] {
  const versions: string[] = [];
  for (const key of keys) {
    const match = /^models\/([^/]+)\/manifest\.json$/.exec(key);
    if (match?.[1] !== undefined) versions.push(match[1]);
  }
  return versions;
}
