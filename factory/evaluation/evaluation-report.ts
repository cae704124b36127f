import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { ALARM_MARKER_STYLES, escapeXml, renderTimeSeriesSvg } from '../../shared/charts/index.js';
import type { EvaluationSummary } from '../registry/evaluation-summary.js';
import { renderBarChartSvg, type Bar, type BarGroup } from './bar-chart-svg.js';
import type { EvaluationFigures, FireGroupFigures, TimeFigures } from './evaluation-figures.js';
import { DETECTOR_LABELS, formatSeconds, formatShare } from './evaluation-table.js';
import type { RunOutcome } from './run-outcome.js';
import { hardestRuns, runTraceChart } from './run-trace-chart.js';

/** Everything the report shows. */
export interface ReportInput {
  readonly summary: EvaluationSummary;
  readonly figures: EvaluationFigures;
  readonly outcomes: readonly RunOutcome[];
  readonly policy: AlarmPolicy;
}

const SOURCES = [
  { key: 'model', name: 'model', colour: ALARM_MARKER_STYLES.model.colour },
  { key: 'best', name: DETECTOR_LABELS.best, colour: '#444444' },
  { key: 'smoke', name: DETECTOR_LABELS.smoke, colour: ALARM_MARKER_STYLES.smoke.colour },
  { key: 'heat_fixed', name: DETECTOR_LABELS.heat_fixed, colour: ALARM_MARKER_STYLES.heat.colour },
  { key: 'rate_of_rise', name: DETECTOR_LABELS.rate_of_rise, colour: ALARM_MARKER_STYLES.rateOfRise.colour },
  { key: 'co', name: DETECTOR_LABELS.co, colour: ALARM_MARKER_STYLES.co.colour },
] as const;

function bar(f: TimeFigures, runs: number): Bar {
  return { value: f.medianS, whisker: f.p90S, note: `${String(f.detected)}/${String(runs)}` };
}

function barGroup(label: string, g: FireGroupFigures): BarGroup {
  return {
    label,
    bars: SOURCES.map((s) => bar(s.key === 'model' ? g.model : g.detectors[s.key], g.runs)),
  };
}

const esc = escapeXml;
const cell = (value: string, head = false): string =>
  head ? `<th>${esc(value)}</th>` : `<td>${esc(value)}</td>`;
const row = (cells: readonly string[], head = false): string =>
  `<tr>${cells.map((c) => cell(c, head)).join('')}</tr>`;

function fireTable(figures: EvaluationFigures): string {
  const line = (name: string, f: FireGroupFigures): string =>
    row([
      name,
      String(f.runs),
      formatShare(f.model.detected, f.runs),
      formatSeconds(f.model.medianS),
      formatSeconds(f.model.p90S),
      formatSeconds(f.headsUp.medianS),
      formatShare(f.detectors.best.detected, f.runs),
      formatSeconds(f.detectors.best.medianS),
      formatSeconds(f.detectors.best.p90S),
      String(f.preIgnitionAlarmRuns),
    ]);
  return [
    '<table>',
    row(
      [
        'fire class',
        'runs',
        'model detected',
        'median',
        'p90',
        'heads-up median',
        'baseline detected',
        'median',
        'p90',
        'alarms before ignition',
      ],
      true,
    ),
    ...Object.entries(figures.perClass).map(([name, f]) => line(name, f)),
    line('all fires', figures.fire),
    '</table>',
  ].join('\n');
}

function nonFireTable(figures: EvaluationFigures): string {
  const lines = [
    ...Object.entries(figures.perNuisance).map(([name, n]) => [name, n] as const),
    ['all nuisances', figures.nuisance] as const,
    ['normal', figures.normal] as const,
  ];
  return [
    '<table>',
    row(
      [
        'runs without fire',
        'runs',
        'false alarm runs',
        'heads-up only',
        'conventional detector alarms',
        'peak probability',
      ],
      true,
    ),
    ...lines.map(([name, n]) =>
      row([
        name,
        String(n.runs),
        formatShare(n.falseAlarmRuns, n.runs),
        String(n.headsUpRuns),
        String(n.detectorAlarmRuns),
        n.maxPeakProbability.toFixed(2),
      ]),
    ),
    '</table>',
  ].join('\n');
}

function traces(input: ReportInput): string {
  const { slowFires, loudNuisances } = hardestRuns(input.outcomes, 4);
  const chart = (o: RunOutcome, caption: string, i: number, kind: string): string =>
    `<figure>${renderTimeSeriesSvg(runTraceChart(o, input.policy, caption, `${kind}${String(i)}`))}</figure>`;
  const fires = slowFires.map((o, i) =>
    chart(
      o,
      o.timeToAlarmS === null ? 'not detected' : `alarm ${formatSeconds(o.timeToAlarmS)} after ignition`,
      i,
      'fire',
    ),
  );
  const nuisances = loudNuisances.map((o, i) =>
    chart(
      o,
      `peak probability ${o.peakProbability.toFixed(2)}${o.falseAlarm ? ', FALSE ALARM' : ''}`,
      i,
      'nuisance',
    ),
  );
  return [
    '<h2>Slowest detections</h2>',
    fires.length === 0 ? '<p>No fire runs.</p>' : fires.join('\n'),
    '<h2>Nuisance runs closest to an alarm</h2>',
    nuisances.length === 0 ? '<p>No nuisance runs.</p>' : nuisances.join('\n'),
  ].join('\n');
}

const STYLE = `body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:24px;color:#222;max-width:1160px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ddd;padding:4px 8px;font-size:13px}
td:not(:first-child){text-align:right}th{background:#f3f3f3}figure{margin:12px 0}
.headline{display:flex;gap:16px;flex-wrap:wrap}.headline div{border:1px solid #ddd;padding:8px 12px;border-radius:4px}
.headline b{display:block;font-size:20px}p.note{color:#555;font-size:13px}`;

/** The evaluation as one self-contained HTML page: headline figures, tables and inline SVG charts. */
export function evaluationReportHtml(input: ReportInput): string {
  const { summary: s, figures } = input;
  const speedup =
    s.speedupVsBestBaseline === null
      ? '—'
      : `${s.speedupVsBestBaseline.toFixed(2)} × (${s.speedupVsBestBaseline >= 1 ? 'faster' : 'slower'})`;
  const headline = [
    ['fire detection', formatShare(s.fire.detected, s.fire.runs)],
    ['median time to alarm', formatSeconds(s.fire.medianTimeToAlarmS)],
    ['best baseline median', formatSeconds(s.baseline.best.medianTimeToAlarmS)],
    ['speed vs best baseline, same runs', speedup],
    [
      'false alarm runs',
      `${String(s.nuisance.falseAlarmRuns + s.normal.falseAlarmRuns)} of ${String(s.nuisance.runs + s.normal.runs)}`,
    ],
    ['false alarms per hour (nuisance)', s.nuisance.falseAlarmsPerHour.toFixed(2)],
  ];
  const groups = [
    ...Object.entries(figures.perClass).map(([name, g]) => barGroup(name, g)),
    barGroup('all fires', figures.fire),
  ];
  const bars = renderBarChartSvg({
    title: 'Time to alarm after ignition per fire class: median (bar) and p90 (whisker); runs detected after',
    valueLabel: 'seconds after ignition',
    series: SOURCES,
    groups,
    width: 1100,
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation of ${esc(s.modelVersion)}</title>
<style>${STYLE}</style></head><body>
<h1>Evaluation of model ${esc(s.modelVersion)}</h1>
<p class="note">${esc(s.heldOutSeeds)} · evaluated ${esc(s.evaluatedAt)}.
Time to alarm runs from ignition to the first high; a heads-up is medium or high. The baseline of a run is
its earliest conventional detector (smoke, fixed heat, rate of rise, CO).</p>
<div class="headline">${headline.map(([k, v]) => `<div>${esc(k ?? '')}<b>${esc(v ?? '')}</b></div>`).join('')}</div>
<h2>Fires</h2>
${fireTable(figures)}
<figure>${bars}</figure>
<p class="note">On the ${String(figures.fire.paired.runs)} fire runs where both alarmed: model median
${esc(formatSeconds(figures.fire.paired.modelMedianS))}, best baseline ${esc(formatSeconds(figures.fire.paired.baselineMedianS))}.
The model alone alarmed on ${String(figures.fire.modelOnlyRuns)}, a conventional detector alone on ${String(figures.fire.baselineOnlyRuns)}.</p>
<h2>Runs without a fire</h2>
${nonFireTable(figures)}
${traces(input)}
</body></html>
`;
}
