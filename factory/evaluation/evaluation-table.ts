import type {
  EvaluationFigures,
  FireGroupFigures,
  NonFireFigures,
  TimeFigures,
} from './evaluation-figures.js';
import type { DetectorName, Seconds } from './run-outcome.js';

/** Names of the detectors for people. */
export const DETECTOR_LABELS: Readonly<Record<DetectorName | 'best', string>> = {
  smoke: 'smoke',
  heat_fixed: 'fixed heat',
  rate_of_rise: 'rate of rise',
  co: 'CO',
  best: 'best baseline',
};

export function formatSeconds(s: Seconds): string {
  return s === null ? '—' : `${s.toFixed(0)} s`;
}

export function formatShare(part: number, whole: number): string {
  return whole === 0 ? `${part}/0` : `${part}/${whole} (${((100 * part) / whole).toFixed(0)} %)`;
}

const timePair = (f: TimeFigures): string => `${formatSeconds(f.medianS)} / ${formatSeconds(f.p90S)}`;

/** Rows of cells as aligned text columns; numbers right-aligned. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function fireRow(name: string, f: FireGroupFigures): string[] {
  return [
    name,
    String(f.runs),
    formatShare(f.model.detected, f.runs),
    timePair(f.model),
    formatShare(f.detectors.best.detected, f.runs),
    timePair(f.detectors.best),
    formatSeconds(f.headsUp.medianS),
    String(f.preIgnitionAlarmRuns),
  ];
}

function nonFireRow(name: string, n: NonFireFigures): string[] {
  return [
    name,
    String(n.runs),
    formatShare(n.falseAlarmRuns, n.runs),
    String(n.headsUpRuns),
    String(n.detectorAlarmRuns),
    n.maxPeakProbability.toFixed(2),
  ];
}

/** The evaluation as a table for a terminal: fire classes, then runs without a fire. */
export function evaluationTable(modelVersion: string, figures: EvaluationFigures): string {
  const { fire, nuisance, normal } = figures;
  const fires = alignColumns([
    [
      'FIRE CLASS',
      'RUNS',
      'MODEL DETECTED',
      'MEDIAN / P90',
      'BASELINE DETECTED',
      'MEDIAN / P90',
      'HEADS-UP',
      'EARLY',
    ],
    ...Object.entries(figures.perClass).map(([name, f]) => fireRow(name, f)),
    fireRow('all fires', fire),
  ]);
  const detectors = (['smoke', 'heat_fixed', 'rate_of_rise', 'co'] as const).map((d) => {
    const f = fire.detectors[d];
    return `  ${DETECTOR_LABELS[d]}: ${formatShare(f.detected, fire.runs)}, median ${formatSeconds(f.medianS)}, p90 ${formatSeconds(f.p90S)}`;
  });
  const { paired } = fire;
  const ratio = paired.ratio === null ? '' : ` (${paired.ratio.toFixed(2)} ×)`;
  const others = alignColumns([
    ['WITHOUT FIRE', 'RUNS', 'FALSE ALARM RUNS', 'HEADS-UP ONLY', 'DETECTOR ALARMS', 'PEAK P'],
    ...Object.entries(figures.perNuisance).map(([name, n]) => nonFireRow(name, n)),
    nonFireRow('all nuisances', nuisance),
    nonFireRow('normal', normal),
  ]);
  return [
    `Evaluation of model ${modelVersion}: time to alarm is from ignition to the first high (median / p90);`,
    'baseline is the earliest conventional detector of each run; EARLY counts highs before ignition.',
    '',
    ...fires,
    '',
    'Conventional detectors on all fires:',
    ...detectors,
    `Model vs best baseline on the ${paired.runs} fire runs where both alarmed: median ` +
      `${formatSeconds(paired.modelMedianS)} vs ${formatSeconds(paired.baselineMedianS)}${ratio}; ` +
      `model alone on ${fire.modelOnlyRuns}, baseline alone on ${fire.baselineOnlyRuns}.`,
    '',
    ...others,
    '',
    `False alarms per hour on nuisance runs: ${nuisance.falseAlarmsPerHour.toFixed(2)} ` +
      `(${nuisance.falseAlarmEvents} in ${nuisance.hours.toFixed(1)} h).`,
  ].join('\n');
}
