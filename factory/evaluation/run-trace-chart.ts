import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { levelRank } from '../../shared/alarm/alarm-policy.js';
import {
  ALARM_MARKER_STYLES,
  type AlarmMarkerKind,
  type TimeMarker,
  type TimeSeriesChartSpec,
} from '../../shared/charts/index.js';
import { groupName } from './evaluation-figures.js';
import type { RunOutcome } from './run-outcome.js';

/** Thins a series to at most `points` points, keeping each bucket's highest value: peaks are what matter here. */
export function thinToPeaks(
  t: ArrayLike<number>,
  values: ArrayLike<number>,
  points: number,
): { t: number[]; values: number[] } {
  const n = Math.min(t.length, values.length);
  const size = Math.max(1, Math.ceil(n / Math.max(1, points)));
  const out = { t: [] as number[], values: [] as number[] };
  for (let start = 0; start < n; start += size) {
    let best = start;
    for (let i = start + 1; i < Math.min(n, start + size); i++) {
      if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
    }
    out.t.push(t[best] ?? Number.NaN);
    out.values.push(values[best] ?? Number.NaN);
  }
  return out;
}

/** The alarm level as a step line: 0 none, 1 low, 2 medium, 3 high. */
function levelSteps(outcome: RunOutcome): { t: number[]; values: number[] } {
  const t = [outcome.t[0] ?? 0];
  const values = [0];
  for (const change of outcome.changes) {
    t.push(change.ts, change.ts);
    values.push(levelRank(change.from), levelRank(change.level));
  }
  t.push(outcome.t[outcome.t.length - 1] ?? outcome.durationS);
  values.push(values[values.length - 1] ?? 0);
  return { t, values };
}

function markers(outcome: RunOutcome): TimeMarker[] {
  const d = outcome.detectorAlarmS;
  const events: [AlarmMarkerKind, string, number | null][] = [
    ['ignition', 'ignition', outcome.ignitionS],
    ['smoke', 'smoke alarm', d.smoke],
    ['heat', 'fixed heat', d.heat_fixed],
    ['rateOfRise', 'rate of rise', d.rate_of_rise],
    ['co', 'CO alarm', d.co],
    ['model', 'model alarm', outcome.firstS.high],
  ];
  const placed = events.flatMap(([kind, label, t]) =>
    t === null ? [] : [{ t, label, ...ALARM_MARKER_STYLES[kind] }],
  );
  const headsUp = outcome.firstS.medium;
  if (headsUp !== null && headsUp !== outcome.firstS.high) {
    placed.push({ t: headsUp, label: 'heads-up', colour: ALARM_MARKER_STYLES.model.colour, style: 'dotted' });
  }
  return placed;
}

/** A run's fire probability and alarm level over time, with ignition, detector and model alarms marked. */
export function runTraceChart(
  outcome: RunOutcome,
  policy: AlarmPolicy,
  caption: string,
  idPrefix: string,
): TimeSeriesChartSpec {
  const threshold = (label: string, value: number, colour: string) => ({
    label,
    value,
    colour,
    style: 'dashed' as const,
  });
  return {
    title: `${outcome.runId} · ${outcome.class.kind} (${groupName(outcome)}) · ${caption}`,
    width: 1100,
    height: 340,
    idPrefix,
    xAxis: { label: 'time from run start', format: 'mm:ss' },
    panels: [
      {
        title: 'Fire probability',
        yLabel: 'p',
        yRange: [0, 1],
        series: [
          { name: 'model', ...thinToPeaks(outcome.t, outcome.probabilities, 1200), colour: '#0072B2' },
        ],
        thresholds: [
          threshold('low', policy.low.threshold, '#9a9a9a'),
          threshold('medium', policy.medium.threshold, '#E69F00'),
          threshold('high', policy.high.threshold, '#D55E00'),
        ],
      },
      {
        title: 'Alarm level (0 none, 1 low, 2 medium, 3 high)',
        yLabel: 'level',
        yRange: [0, 3],
        series: [{ name: 'level', ...levelSteps(outcome), colour: '#CC79A7' }],
      },
    ],
    markers: markers(outcome),
  };
}

/**
 * The runs most worth a look: fire runs the model missed or caught last, and
 * nuisance runs where its probability came closest to an alarm.
 */
export function hardestRuns(
  outcomes: readonly RunOutcome[],
  count: number,
): { slowFires: RunOutcome[]; loudNuisances: RunOutcome[] } {
  const slowness = (o: RunOutcome): number => o.timeToAlarmS ?? Infinity;
  const slowFires = outcomes
    .filter((o) => o.class.kind === 'fire')
    .sort((a, b) => slowness(b) - slowness(a) || a.peakProbability - b.peakProbability)
    .slice(0, count);
  const loudNuisances = outcomes
    .filter((o) => o.class.kind === 'nuisance')
    .sort((a, b) => b.peakProbability - a.peakProbability)
    .slice(0, count);
  return { slowFires, loudNuisances };
}
