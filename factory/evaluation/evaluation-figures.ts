import { DETECTORS, type DetectorName, type RunOutcome, type Seconds } from './run-outcome.js';
import { median, present, quantile, rate } from './statistics.js';

/** How often, and how fast, one alarm source caught the fires of a group. */
export interface TimeFigures {
  readonly detected: number;
  readonly detectionRate: number;
  /** Seconds after ignition, over the runs it caught. */
  readonly medianS: Seconds;
  readonly p90S: Seconds;
}

/** A group of fire runs (all of them, or one fire class). */
export interface FireGroupFigures {
  readonly runs: number;
  /** The model's alarm (high). */
  readonly model: TimeFigures;
  /** The model's heads-up (medium or high). */
  readonly headsUp: TimeFigures;
  /** Each conventional detector, and per run the earliest of them. */
  readonly detectors: Readonly<Record<DetectorName | 'best', TimeFigures>>;
  /** Runs where the model and at least one detector alarmed: the fair ground for a ratio. */
  readonly paired: {
    readonly runs: number;
    readonly modelMedianS: Seconds;
    readonly baselineMedianS: Seconds;
    /** Model median over best-baseline median; below 1 is faster. */
    readonly ratio: number | null;
  };
  /** The model alarmed and no conventional detector did. */
  readonly modelOnlyRuns: number;
  /** A conventional detector alarmed and the model did not. */
  readonly baselineOnlyRuns: number;
  /** The model was at high before the fire started. */
  readonly preIgnitionAlarmRuns: number;
}

/** A group of runs without a fire. */
export interface NonFireFigures {
  readonly runs: number;
  /** Runs with at least one high. */
  readonly falseAlarmRuns: number;
  /** Runs that reached medium and never high. */
  readonly headsUpRuns: number;
  readonly falseAlarmEvents: number;
  readonly hours: number;
  readonly falseAlarmsPerHour: number;
  /** Runs where a conventional detector went off. */
  readonly detectorAlarmRuns: number;
  readonly maxPeakProbability: number;
}

/** Everything the evaluation measures, beyond the summary the registry keeps. */
export interface EvaluationFigures {
  readonly fire: FireGroupFigures;
  readonly perClass: Readonly<Record<string, FireGroupFigures>>;
  readonly nuisance: NonFireFigures;
  readonly perNuisance: Readonly<Record<string, NonFireFigures>>;
  readonly normal: NonFireFigures;
}

/** Detection and timing over `runs` fire runs from each run's time (null = never). */
export function timeFigures(runs: number, times: readonly Seconds[]): TimeFigures {
  const caught = present(times);
  return {
    detected: caught.length,
    detectionRate: rate(caught.length, runs),
    medianS: median(caught),
    p90S: quantile(caught, 0.9),
  };
}

export function fireGroupFigures(outcomes: readonly RunOutcome[]): FireGroupFigures {
  const n = outcomes.length;
  const detector = (name: DetectorName): TimeFigures =>
    timeFigures(
      n,
      outcomes.map((o) => o.detectorAfterIgnitionS[name]),
    );
  const pairs = outcomes.filter((o) => o.timeToAlarmS !== null && o.bestDetectorS !== null);
  const modelMedianS = median(present(pairs.map((o) => o.timeToAlarmS)));
  const baselineMedianS = median(present(pairs.map((o) => o.bestDetectorS)));
  return {
    runs: n,
    model: timeFigures(
      n,
      outcomes.map((o) => o.timeToAlarmS),
    ),
    headsUp: timeFigures(
      n,
      outcomes.map((o) => o.timeToHeadsUpS),
    ),
    detectors: {
      smoke: detector('smoke'),
      heat_fixed: detector('heat_fixed'),
      rate_of_rise: detector('rate_of_rise'),
      co: detector('co'),
      best: timeFigures(
        n,
        outcomes.map((o) => o.bestDetectorS),
      ),
    },
    paired: {
      runs: pairs.length,
      modelMedianS,
      baselineMedianS,
      ratio:
        modelMedianS === null || baselineMedianS === null || baselineMedianS === 0
          ? null
          : modelMedianS / baselineMedianS,
    },
    modelOnlyRuns: outcomes.filter((o) => o.timeToAlarmS !== null && o.bestDetectorS === null).length,
    baselineOnlyRuns: outcomes.filter((o) => o.timeToAlarmS === null && o.bestDetectorS !== null).length,
    preIgnitionAlarmRuns: outcomes.filter((o) => o.preIgnitionAlarm).length,
  };
}

export function nonFireFigures(outcomes: readonly RunOutcome[]): NonFireFigures {
  const hours = outcomes.reduce((sum, o) => sum + o.durationS, 0) / 3600;
  const events = outcomes.reduce((sum, o) => sum + o.falseAlarmEvents, 0);
  return {
    runs: outcomes.length,
    falseAlarmRuns: outcomes.filter((o) => o.falseAlarm).length,
    headsUpRuns: outcomes.filter((o) => o.firstS.medium !== null && o.firstS.high === null).length,
    falseAlarmEvents: events,
    hours,
    falseAlarmsPerHour: hours === 0 ? 0 : events / hours,
    detectorAlarmRuns: outcomes.filter((o) => DETECTORS.some((d) => o.detectorAlarmS[d] !== null)).length,
    maxPeakProbability: outcomes.reduce((max, o) => Math.max(max, o.peakProbability), 0),
  };
}

function groupBy(outcomes: readonly RunOutcome[], key: (o: RunOutcome) => string): Map<string, RunOutcome[]> {
  const groups = new Map<string, RunOutcome[]>();
  for (const o of outcomes) {
    const k = key(o);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [o]);
    else group.push(o);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** The name of a run's group: its fire class, nuisance kind, or 'normal'. */
export function groupName(o: RunOutcome): string {
  switch (o.class.kind) {
    case 'fire':
      return o.class.fire_class;
    case 'nuisance':
      return o.class.nuisance;
    case 'normal':
      return 'normal';
  }
}

/** Every figure of the evaluation, overall and per fire class and nuisance kind. */
export function evaluationFigures(outcomes: readonly RunOutcome[]): EvaluationFigures {
  const fires = outcomes.filter((o) => o.class.kind === 'fire');
  const nuisances = outcomes.filter((o) => o.class.kind === 'nuisance');
  return {
    fire: fireGroupFigures(fires),
    perClass: Object.fromEntries([...groupBy(fires, groupName)].map(([k, g]) => [k, fireGroupFigures(g)])),
    nuisance: nonFireFigures(nuisances),
    perNuisance: Object.fromEntries(
      [...groupBy(nuisances, groupName)].map(([k, g]) => [k, nonFireFigures(g)]),
    ),
    normal: nonFireFigures(outcomes.filter((o) => o.class.kind === 'normal')),
  };
}
