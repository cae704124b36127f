import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ALARM_LEVELS } from '../../shared/alarm/alarm-policy.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import type { FeatureRun } from '../../factory/pipeline/run-features.js';
import { labelRecordings } from '../../shared/dataset/field-recordings.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { OutcomeInput } from './learning-types.js';

/** One labelled incident window, one JSON line in the field-data folder. */
export const FieldWindow = z.object({
  schemaVersion: z.literal(1),
  incidentId: z.string().min(1),
  deviceId: z.string().min(1),
  zone: z.string(),
  /** `fire` windows train as fire from the incident's opening on; `false-alarm` ones as nuisance. */
  outcome: z.enum(['fire', 'false-alarm']),
  openedAt: z.number(),
  labelledBy: z.string(),
  labelledAt: z.number(),
  note: z.string().optional(),
  assessments: z.array(
    z.object({
      ts: z.number(),
      probability: z.number(),
      level: z.enum(ALARM_LEVELS),
      features: z.record(z.string(), z.number().nullable()),
    }),
  ),
});
export type FieldWindow = z.infer<typeof FieldWindow>;

/** The field window of an outcome; undefined for outcomes that teach nothing (test, unknown). */
export function fieldWindowOf(input: OutcomeInput, labelledAt: number): FieldWindow | undefined {
  if (input.outcome !== 'fire' && input.outcome !== 'false-alarm') return undefined;
  const window: FieldWindow = {
    schemaVersion: 1,
    incidentId: input.incident.id,
    deviceId: input.incident.deviceId,
    zone: input.incident.zone,
    outcome: input.outcome,
    openedAt: input.incident.openedAt,
    labelledBy: input.by,
    labelledAt,
    assessments: input.window.assessments.map((a) => ({
      ts: a.ts,
      probability: a.probability,
      level: a.level,
      features: { ...a.features },
    })),
  };
  return input.note === undefined ? window : { ...window, note: input.note };
}

/** Appends one window to `{dir}/field-YYYY-MM-DD.jsonl` (UTC day of labelling); returns the file. */
export async function appendFieldWindow(dir: string, window: FieldWindow): Promise<string> {
  await mkdir(dir, { recursive: true });
  const day = new Date(window.labelledAt).toISOString().slice(0, 10);
  const file = join(dir, `field-${day}.jsonl`);
  await appendFile(file, `${JSON.stringify(window)}\n`);
  return file;
}

/** What the field-data folder holds, with a fingerprint of its bytes and the lines it skipped. */
export interface FieldData {
  readonly windows: FieldWindow[];
  readonly sha256: string;
  readonly skipped: readonly string[];
}

/** Reads every `*.jsonl` file of the folder (none: no windows); a bad line is skipped and named, not fatal. */
export async function readFieldData(dir: string): Promise<FieldData> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { windows: [], sha256: 'none', skipped: [] };
    throw error;
  }
  const hash = createHash('sha256');
  const windows: FieldWindow[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    hash.update(text);
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        windows.push(FieldWindow.parse(JSON.parse(line)));
      } catch {
        skipped.push(`${name}:${i + 1}`);
      }
    });
  }
  return { windows, sha256: hash.digest('hex'), skipped };
}

/**
 * A field window as a training run: one vector per assessment in
 * FEATURE_NAMES order (missing → NaN), time in seconds from the incident's
 * opening. A fire is labelled from the opening on (the true ignition is not
 * known); a false alarm is a nuisance run. Windows without assessments give
 * no run.
 */
export function fieldRun(window: FieldWindow): FeatureRun | undefined {
  const points = [...window.assessments].sort((a, b) => a.ts - b.ts);
  if (points.length === 0) return undefined;
  const fire = window.outcome === 'fire';
  const t = Float64Array.from(points, (p) => Math.max(0, Math.round((p.ts - window.openedAt) / 1000)));
  return {
    runId: `field-${window.incidentId}`,
    classKind: fire ? 'fire' : 'nuisance',
    ignitionS: fire ? 0 : null,
    t,
    vectors: points.map((p) => Float32Array.from(FEATURE_NAMES, (name) => p.features[name] ?? Number.NaN)),
    fire: Uint8Array.from(points, () => (fire ? 1 : 0)),
  };
}

/**
 * Copies the device's recordings of this incident from `store` into the
 * field data under the operator's outcome (fire, false alarm or test); the
 * files, or what went wrong, for the decision's details. Nothing without a
 * store or for an unknown outcome.
 */
export async function labelIncidentRecordings(
  store: ObjectStore | undefined,
  fieldDataDir: string,
  input: OutcomeInput,
  now: number,
  log: Logger,
): Promise<string[] | string | undefined> {
  const outcome = input.outcome;
  if (store === undefined || (outcome !== 'fire' && outcome !== 'false-alarm' && outcome !== 'test')) {
    return undefined;
  }
  try {
    const labels = await labelRecordings(store, fieldDataDir, {
      incidentId: input.incident.id,
      deviceId: input.incident.deviceId,
      outcome,
      by: input.by,
      at: now,
      deviceTimes: input.window.assessments.map((a) => a.messageTs ?? a.ts),
    });
    return labels.map((l) => l.file);
  } catch (error) {
    log.warn({ err: error, incidentId: input.incident.id }, 'incident recordings not labelled');
    return `not labelled: ${error instanceof Error ? error.message : String(error)}`;
  }
}
