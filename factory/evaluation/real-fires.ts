import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { AlarmChange } from '../../shared/alarm/alarm-state.js';
import { EmberError } from '../../shared/errors.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import { replayReadings } from './replay.js';
import { firstAtLeast, type Seconds } from './run-outcome.js';

/**
 * Real fires as recordings: a folder of replay CSVs (`<test>_<position>.csv`)
 * and `alarms.csv`, which names each test's positions with the ignition time
 * and the first photoelectric and ionization alarm there (seconds on the
 * recordings' clock; empty when that alarm never sounded).
 */
export const ALARMS_FILE = 'alarms.csv';

const seconds = z
  .string()
  .trim()
  .transform((text, ctx) => {
    if (text === '') return null;
    const value = Number(text);
    if (!Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not a number of seconds` });
      return z.NEVER;
    }
    return value;
  });

const AlarmsRow = z.object({
  test: z
    .string()
    .trim()
    .regex(/^[\w.-]+$/, 'a test name of letters, digits, _ . -'),
  position: z
    .string()
    .trim()
    .regex(/^[\w.-]+$/, 'a position name of letters, digits, _ . -'),
  ignition_s: seconds,
  first_photoelectric_s: seconds,
  first_ionization_s: seconds,
});
export type RealFirePosition = z.infer<typeof AlarmsRow>;

/** How Emberwatch did at one position of one real fire, beside the real alarms there. */
export interface RealFireOutcome extends RealFirePosition {
  readonly file: string;
  /** First time at medium or above (a heads-up), first time at high; null when never. */
  readonly headsUpS: Seconds;
  readonly highS: Seconds;
  /** Floors that raised the first high, if they did. */
  readonly highFloors: readonly string[];
  readonly verdict: {
    /** High no later than the first photoelectric alarm; null where none sounded. */
    readonly highByPhotoelectric: boolean | null;
    /** Heads-up no later than the first ionization alarm; null where none sounded. */
    readonly headsUpByIonization: boolean | null;
    /** Neither a heads-up nor a high in the whole recording. */
    readonly silent: boolean;
    /** A heads-up or high before ignition (a false one). */
    readonly beforeIgnition: boolean;
  };
  readonly changes: readonly AlarmChange[];
}

/** The per-test totals a person reads first. */
export interface RealFireSummary {
  readonly positions: number;
  /** Positions with a real photoelectric / ionization alarm, and those Emberwatch beat or matched. */
  readonly withPhotoelectric: number;
  readonly highByPhotoelectric: number;
  readonly withIonization: number;
  readonly headsUpByIonization: number;
  readonly silent: number;
  readonly beforeIgnition: number;
}

function fail(where: string, message: string): never {
  throw new EmberError('EMBER_ERR_BAD_CSV', `${where}: ${message}`);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${file}: ${code}`, { cause: error });
  }
}

/** Reads `alarms.csv` of a real-fire folder: one row per test and position. */
export async function readRealFireFolder(dir: string): Promise<RealFirePosition[]> {
  const file = join(dir, ALARMS_FILE);
  const text = await readText(file);
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(text, {
      bom: true,
      columns: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_CSV', `${file}: ${(error as Error).message}`, { cause: error });
  }
  if (records.length === 0) fail(file, 'no positions: expected a header and one row per test and position');
  return records.map((record, i) => {
    const parsed = AlarmsRow.safeParse(record);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    fail(
      `${file} line ${String(i + 2)}, column ${issue?.path.join('.') ?? '?'}`,
      issue?.message ?? 'invalid',
    );
  });
}

function judge(position: RealFirePosition, changes: readonly AlarmChange[]): RealFireOutcome['verdict'] {
  const headsUp = firstAtLeast(changes, 'medium');
  const high = firstAtLeast(changes, 'high');
  const by = (at: Seconds, deadline: number | null): boolean | null =>
    deadline === null ? null : at !== null && at <= deadline;
  const ignition = position.ignition_s;
  return {
    highByPhotoelectric: by(high, position.first_photoelectric_s),
    headsUpByIonization: by(headsUp, position.first_ionization_s),
    silent: headsUp === null,
    beforeIgnition: ignition !== null && headsUp !== null && headsUp < ignition,
  };
}

/** Replays every position of a real-fire folder through the edge's path with `model` and `policy`. */
export async function evaluateRealFires(
  dir: string,
  model: FireModel,
  policy: AlarmPolicy,
): Promise<RealFireOutcome[]> {
  const positions = await readRealFireFolder(dir);
  const outcomes: RealFireOutcome[] = [];
  for (const position of positions) {
    const file = join(dir, `${position.test}_${position.position}.csv`);
    const readings = readingsFromCsv(await readText(file), file);
    const changes = await replayReadings(readings, model, policy);
    const firstHigh = changes.find((c) => c.level === 'high');
    outcomes.push({
      ...position,
      file,
      headsUpS: firstAtLeast(changes, 'medium'),
      highS: firstAtLeast(changes, 'high'),
      highFloors: firstHigh?.floors ?? [],
      verdict: judge(position, changes),
      changes,
    });
  }
  return outcomes;
}

/** Counts over every position. */
export function summariseRealFires(outcomes: readonly RealFireOutcome[]): RealFireSummary {
  const count = (pick: (o: RealFireOutcome) => boolean): number => outcomes.filter(pick).length;
  return {
    positions: outcomes.length,
    withPhotoelectric: count((o) => o.verdict.highByPhotoelectric !== null),
    highByPhotoelectric: count((o) => o.verdict.highByPhotoelectric === true),
    withIonization: count((o) => o.verdict.headsUpByIonization !== null),
    headsUpByIonization: count((o) => o.verdict.headsUpByIonization === true),
    silent: count((o) => o.verdict.silent),
    beforeIgnition: count((o) => o.verdict.beforeIgnition),
  };
}
