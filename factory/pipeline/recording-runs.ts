import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { detectionSeries } from '../../shared/detection/detection-front-end.js';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import type { FeatureRun } from './run-features.js';
import { readLabelledRecordings } from '../../shared/dataset/field-recordings.js';

/**
 * Labelled incident recordings as training runs, through the edge's own
 * features: a confirmed fire is a fire from the device's first heads-up in it
 * on (when the fire really started is not known; before that the run's
 * steps are left out of training as not yet showing), a confirmed false
 * alarm is a nuisance run. Tests and unknowns teach nothing and are left out.
 */
export async function recordingRuns(
  fieldDataDir: string,
): Promise<{ runs: FeatureRun[]; skipped: string[]; sha256: string }> {
  const { recordings, skipped } = await readLabelledRecordings(fieldDataDir);
  const hash = createHash('sha256');
  const runs: FeatureRun[] = [];
  for (const recording of recordings) {
    if (recording.outcome !== 'fire' && recording.outcome !== 'false-alarm') continue;
    let text: string;
    try {
      text = await readFile(recording.path, 'utf8');
    } catch {
      skipped.push(recording.file);
      continue;
    }
    hash.update(text);
    const csv = readingsFromCsv(text, recording.path);
    const { ts, vectors } = detectionSeries(csv.readings, csv.startMs, csv.endMs, 1000);
    const t = Float64Array.from(ts, (ms) => (ms - csv.startMs) / 1000);
    const fire = recording.outcome === 'fire';
    const onset = fire ? (recording.alarmAtS ?? 0) : null;
    runs.push({
      runId: `recording-${recording.incidentId}-${recording.file}`,
      classKind: fire ? 'fire' : 'nuisance',
      ignitionS: onset,
      t,
      vectors,
      fire: Uint8Array.from(t, (s) => (onset !== null && s >= onset ? 1 : 0)),
    });
  }
  return { runs, skipped, sha256: hash.digest('hex') };
}
