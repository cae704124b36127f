import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ObjectStore } from '../object-store/object-store.js';
import { OUTCOMES } from '../schemas/outcomes.js';

/**
 * Incident recordings: the readings a device kept around an incident, as a
 * replay CSV in the object store, labelled here with the operator's outcome
 * so that retraining and the registry gate can replay them. A device writes
 * `recordings/{deviceId}/{start}.csv` beside a JSON description; labelling
 * copies the CSV into `{fieldDataDir}/recordings/{outcome}/` and appends one
 * line to `{fieldDataDir}/recordings/labels.jsonl`.
 */

/** What a device writes beside each recording. */
export const RecordingDescription = z.object({
  schemaVersion: z.literal(1),
  deviceId: z.string().min(1),
  csvKey: z.string().min(1),
  /** Device clock, ms: the first and last row. */
  startedAt: z.number(),
  endedAt: z.number(),
  stepS: z.number().positive(),
  closed: z.boolean(),
});
export type RecordingDescription = z.infer<typeof RecordingDescription>;

/** One labelled recording, a line of labels.jsonl. */
export const LabelledRecording = z.object({
  schemaVersion: z.literal(1),
  incidentId: z.string().min(1),
  deviceId: z.string().min(1),
  outcome: z.enum(OUTCOMES),
  /** The CSV, relative to the recordings folder. */
  file: z.string().min(1),
  sourceKey: z.string().min(1),
  /** Seconds into the recording at which the incident's first assessment came (the device's first heads-up). */
  alarmAtS: z.number().nonnegative().nullable(),
  labelledBy: z.string(),
  labelledAt: z.number(),
});
export type LabelledRecording = z.infer<typeof LabelledRecording>;

export const RECORDINGS_FOLDER = 'recordings';

/** The object keys of a recording: the replay CSV and its description. */
export function recordingKeys(deviceId: string, startedAt: number): { csv: string; json: string } {
  const base = `${RECORDINGS_FOLDER}/${deviceId}/${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}`;
  return { csv: `${base}.csv`, json: `${base}.json` };
}
const LABELS_FILE = 'labels.jsonl';

/**
 * The recordings of `deviceId` that cover any of `deviceTimes` (ms, the
 * device's clock: the incident's anomalies), oldest first. A description
 * that cannot be read is skipped: a half-written or foreign object must not
 * stop labelling.
 */
export async function recordingsCovering(
  store: ObjectStore,
  deviceId: string,
  deviceTimes: readonly number[],
): Promise<RecordingDescription[]> {
  const keys = (await store.list(`${RECORDINGS_FOLDER}/${deviceId}/`)).filter((k) => k.endsWith('.json'));
  const found: RecordingDescription[] = [];
  for (const key of keys) {
    let description: RecordingDescription;
    try {
      description = RecordingDescription.parse(JSON.parse(await store.getText(key)));
    } catch {
      continue;
    }
    if (description.deviceId !== deviceId) continue;
    if (deviceTimes.some((t) => t >= description.startedAt && t <= description.endedAt))
      found.push(description);
  }
  return found.sort((a, b) => a.startedAt - b.startedAt);
}

/** What labelling needs to know of the incident. */
export interface LabelInput {
  readonly incidentId: string;
  readonly deviceId: string;
  readonly outcome: (typeof OUTCOMES)[number];
  readonly by: string;
  readonly at: number;
  /** The device-clock times of the incident's assessments, oldest first. */
  readonly deviceTimes: readonly number[];
}

/** Copies every recording of the incident into the field-data folder under its outcome; returns the labels. */
export async function labelRecordings(
  store: ObjectStore,
  fieldDataDir: string,
  input: LabelInput,
): Promise<LabelledRecording[]> {
  const recordings = await recordingsCovering(store, input.deviceId, input.deviceTimes);
  const root = join(fieldDataDir, RECORDINGS_FOLDER);
  const labels: LabelledRecording[] = [];
  for (const [i, recording] of recordings.entries()) {
    const file = `${input.outcome}/${input.incidentId}${recordings.length > 1 ? `-${String(i + 1)}` : ''}.csv`;
    await mkdir(join(root, input.outcome), { recursive: true });
    await writeFile(join(root, file), await store.getText(recording.csvKey));
    const first = input.deviceTimes.find((t) => t >= recording.startedAt && t <= recording.endedAt);
    const label: LabelledRecording = {
      schemaVersion: 1,
      incidentId: input.incidentId,
      deviceId: input.deviceId,
      outcome: input.outcome,
      file,
      sourceKey: recording.csvKey,
      alarmAtS: first === undefined ? null : Math.round((first - recording.startedAt) / 1000),
      labelledBy: input.by,
      labelledAt: input.at,
    };
    await appendFile(join(root, LABELS_FILE), `${JSON.stringify(label)}\n`);
    labels.push(label);
  }
  return labels;
}

/** Every labelled recording of the field-data folder, with its CSV's path; bad lines are named, not fatal. */
export async function readLabelledRecordings(
  fieldDataDir: string,
): Promise<{ recordings: (LabelledRecording & { readonly path: string })[]; skipped: string[] }> {
  const root = join(fieldDataDir, RECORDINGS_FOLDER);
  let text: string;
  try {
    text = await readFile(join(root, LABELS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { recordings: [], skipped: [] };
    throw error;
  }
  const recordings: (LabelledRecording & { readonly path: string })[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = LabelledRecording.safeParse(
      (() => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (parsed.success && !parsed.data.file.includes('..'))
      recordings.push({ ...parsed.data, path: join(root, parsed.data.file) });
    else skipped.push(`${LABELS_FILE}:${String(i + 1)}`);
  });
  return { recordings, skipped };
}
