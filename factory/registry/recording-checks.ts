import { readFile } from 'node:fs/promises';
import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import { evaluateRealFires } from '../evaluation/real-fires.js';
import { replayReadings } from '../evaluation/replay.js';
import { firstAtLeast } from '../evaluation/run-outcome.js';
import { readLabelledRecordings } from '../../shared/dataset/field-recordings.js';

/**
 * Real recordings a candidate model must get right before the registry may
 * approve it, beside its synthetic evaluation:
 * - each position of each real-fire folder: never silent (a heads-up or a
 *   high at some point), nothing at medium or above before ignition;
 * - each field recording an operator confirmed as a fire: a high somewhere;
 * - each one an operator called a false alarm: never a high.
 * Each check names the recording that decided it.
 */
export type RecordingKind = 'real-fire' | 'field-fire' | 'field-false-alarm';

export interface RecordingCheck {
  readonly kind: RecordingKind;
  /** The recording, as a person finds it: TEST_POSITION of a folder, or the field CSV's path. */
  readonly name: string;
  readonly passed: boolean;
  readonly reason: string;
}

export interface RecordingSources {
  /** Real-fire folders (replay CSVs and alarms.csv). */
  readonly realFires: readonly string[];
  /** The learning agent's field-data folder, whose recordings/ holds the labelled ones. */
  readonly fieldDataDir?: string;
}

const s = (value: number | null): string => (value === null ? 'never' : `at ${value.toFixed(0)} s`);

async function realFireChecks(dir: string, model: FireModel, policy: AlarmPolicy): Promise<RecordingCheck[]> {
  const outcomes = await evaluateRealFires(dir, model, policy);
  return outcomes.map((o) => {
    const name = `${dir}: ${o.test}_${o.position}`;
    if (o.verdict.silent) {
      return { kind: 'real-fire', name, passed: false, reason: `${name}: silent the whole fire` };
    }
    if (o.verdict.beforeIgnition) {
      return {
        kind: 'real-fire',
        name,
        passed: false,
        reason: `${name}: heads-up ${s(o.headsUpS)}, before ignition at ${String(o.ignition_s)} s`,
      };
    }
    return {
      kind: 'real-fire',
      name,
      passed: true,
      reason: `${name}: heads-up ${s(o.headsUpS)}, high ${s(o.highS)}, ignition ${String(o.ignition_s)} s`,
    };
  });
}

async function fieldChecks(
  fieldDataDir: string,
  model: FireModel,
  policy: AlarmPolicy,
): Promise<RecordingCheck[]> {
  const { recordings } = await readLabelledRecordings(fieldDataDir);
  const checks: RecordingCheck[] = [];
  for (const recording of recordings) {
    if (recording.outcome !== 'fire' && recording.outcome !== 'false-alarm') continue;
    const readings = readingsFromCsv(await readFile(recording.path, 'utf8'), recording.path);
    const high = firstAtLeast(await replayReadings(readings, model, policy), 'high');
    const name = `${recording.path} (incident ${recording.incidentId}, ${recording.deviceId})`;
    if (recording.outcome === 'fire') {
      checks.push({
        kind: 'field-fire',
        name,
        passed: high !== null,
        reason: `${name}: confirmed fire, high ${s(high)}`,
      });
    } else {
      checks.push({
        kind: 'field-false-alarm',
        name,
        passed: high === null,
        reason: `${name}: confirmed false alarm, high ${s(high)}`,
      });
    }
  }
  return checks;
}

/** Replays every recording of `sources` with the candidate; one check per recording. */
export async function checkRecordings(
  model: FireModel,
  policy: AlarmPolicy,
  sources: RecordingSources,
): Promise<RecordingCheck[]> {
  const checks: RecordingCheck[] = [];
  for (const dir of sources.realFires) checks.push(...(await realFireChecks(dir, model, policy)));
  if (sources.fieldDataDir !== undefined)
    checks.push(...(await fieldChecks(sources.fieldDataDir, model, policy)));
  return checks;
}
