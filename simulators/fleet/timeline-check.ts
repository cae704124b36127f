import { levelRank, type AlarmLevel, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { AlarmState } from '../../shared/alarm/alarm-state.js';
import { FeatureExtractor } from '../../shared/features/feature-extractor.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { PROTOCOL_NAMES, type ProtocolName, type Reading } from '../../shared/schemas/readings.js';
import type { ValueSource } from '../devices/value-source.js';
import type { PlannedRun } from './fleet-schedule.js';
import type { GatewayTimeline } from './gateway-timeline.js';

/**
 * Plays a gateway's timeline offline, without ptys or a broker, through the
 * same chain as its edge agent: each module's reports as its emulator would
 * send them, the shared feature extractor stepped once an emulated second,
 * the model, and the alarm state machine. What each run of the schedule
 * raised is the answer to "does the demo cry wolf".
 */

/** What one run of a gateway's schedule made the edge do. */
export interface RunCheck {
  readonly run: PlannedRun;
  /**
   * Highest level the alarm was raised to while this run had the room: from
   * the end of its lead-in to the end of the next run's lead-in (the
   * run's own air is what fades out there).
   */
  readonly raisedTo: AlarmLevel;
  /**
   * Seconds from the run's start of the first step at high while this run
   * had the room (raised then, or still high from the run before), or null.
   */
  readonly firstHighS: number | null;
  readonly peakProbability: number;
  /** Seconds from the run's start of the peak. */
  readonly peakAtS: number;
  /** Whether the check reached the end of the run's span. */
  readonly complete: boolean;
}

export interface TimelineCheckOptions {
  /** Emulated seconds between thermal frames; the camera emulator's 2 Hz by default. */
  readonly thermalPeriodS?: number;
  /** Device id the readings carry. */
  readonly deviceId?: string;
  /** Called at every step with its vector and probability, to see which features drive a rise. */
  readonly onStep?: (tS: number, vector: Float32Array, probability: number) => void;
}

/** Steps per model call. */
const BATCH = 600;

/** Readings of every module due in (fromS, toS], in time order, as the kit's emulators would send them. */
function readingsBetween(
  sources: readonly (readonly [ProtocolName, ValueSource<ProtocolName>, number])[],
  fromS: number,
  toS: number,
  deviceId: string,
): Reading[] {
  const out: { reading: Reading; order: number }[] = [];
  sources.forEach(([protocol, source, periodS], order) => {
    for (let k = Math.floor(fromS / periodS) + 1; k * periodS <= toS + 1e-9; k++) {
      const t = k * periodS;
      if (t <= fromS + 1e-9) continue;
      const values = source.valueAt(t);
      if (values === undefined) continue;
      const reading = { deviceId, sensorId: protocol, ts: Math.round(t * 1000), outOfRange: [], protocol };
      out.push({ reading: { ...reading, ...values } as Reading, order });
    }
  });
  return out.sort((a, b) => a.reading.ts - b.reading.ts || a.order - b.order).map((r) => r.reading);
}

interface Tally {
  raisedTo: AlarmLevel;
  firstHighS: number | null;
  peakProbability: number;
  peakAtS: number;
}

/**
 * Checks the runs of `timeline` that have the room in the first `untilS`
 * emulated seconds. The alarm state runs on across runs, as on the edge;
 * a raise counts against the run that had the room when it happened.
 */
export async function checkTimeline(
  timeline: GatewayTimeline,
  model: FireModel,
  policy: AlarmPolicy,
  untilS: number,
  options: TimelineCheckOptions = {},
): Promise<RunCheck[]> {
  const thermalPeriodS = options.thermalPeriodS ?? 0.5;
  const deviceId = options.deviceId ?? timeline.gateway.id;
  const sources = PROTOCOL_NAMES.map(
    (protocol) =>
      [protocol, timeline.source(protocol), protocol === 'mcu90640' ? thermalPeriodS : 1] as const,
  );
  const extractor = new FeatureExtractor();
  const alarm = new AlarmState(policy);
  const tallies = new Map<number, Tally>();
  let level: AlarmLevel = 'none';
  /** The run whose room it is at `t`: the run playing, or the one before during a lead-in. */
  const ownerAt = (t: number): PlannedRun => {
    const run = timeline.runAt(t);
    return t - run.startS < run.leadInS && run.index > 0 ? timeline.run(run.index - 1) : run;
  };
  const tallyOf = (run: PlannedRun): Tally => {
    let tally = tallies.get(run.index);
    if (tally === undefined) {
      tally = { raisedTo: 'none', firstHighS: null, peakProbability: 0, peakAtS: 0 };
      tallies.set(run.index, tally);
    }
    return tally;
  };
  for (let from = 0; from < untilS; from += BATCH) {
    const steps: number[] = [];
    const vectors: Float32Array[] = [];
    for (let t = from; t < Math.min(untilS, from + BATCH); t++) {
      for (const reading of readingsBetween(sources, t - 1, t, deviceId)) extractor.push(reading);
      steps.push(t);
      vectors.push(extractor.step(t * 1000));
    }
    const probabilities = await model.predict(vectors);
    steps.forEach((t, i) => {
      const probability = probabilities[i] ?? Number.NaN;
      const vector = vectors[i];
      if (vector !== undefined) options.onStep?.(t, vector, probability);
      const owner = ownerAt(t);
      const tally = tallyOf(owner);
      const sinceStart = t - owner.startS;
      if (probability > tally.peakProbability) {
        tally.peakProbability = probability;
        tally.peakAtS = sinceStart;
      }
      const change = alarm.update(t, probability);
      if (change !== undefined) {
        const raised = levelRank(change.level) > levelRank(level);
        if (raised && levelRank(change.level) > levelRank(tally.raisedTo)) tally.raisedTo = change.level;
        level = change.level;
      }
      if (level === 'high' && tally.firstHighS === null) tally.firstHighS = sinceStart;
    });
  }
  return [...tallies.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, tally]) => {
      const run = timeline.run(index);
      const next = timeline.run(index + 1);
      return { run, ...tally, complete: next.startS + next.leadInS <= untilS };
    });
}
