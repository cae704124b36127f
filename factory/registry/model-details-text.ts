import type { DecisionRecord } from './decision.js';
import type { ModelDetails } from './model-registry.js';

/** Seconds with one decimal, '-' when there is no value. */
export const formatSeconds = (s: number | null | undefined): string =>
  s === null || s === undefined ? '-' : `${s.toFixed(1)} s`;
/** A rate in [0, 1] as a percentage, '-' when there is no value. */
export const formatPercent = (r: number | null | undefined): string =>
  r === null || r === undefined ? '-' : `${(r * 100).toFixed(1)} %`;

function decisionLine(d: DecisionRecord): string {
  const gate = d.gate === null ? 'no gate' : `gate ${d.gate.approved ? 'passed' : 'refused'}`;
  return `  ${d.seq}  ${d.ts}  ${d.from} → ${d.to} by ${d.by} (${gate}): ${d.reason}`;
}

/** A model's details as lines of text for people: manifest, evaluation against the baselines, decisions. */
export function modelDetailsText({
  record,
  manifest,
  evaluation: e,
  decisions,
  experiments,
  hasReport,
}: ModelDetails): string[] {
  const baselines = (['smoke', 'heat_fixed', 'rate_of_rise', 'co'] as const).map(
    (name) =>
      `${name} ${formatPercent(e.baseline[name].detectionRate)} ${formatSeconds(e.baseline[name].medianTimeToAlarmS)}`,
  );
  return [
    `model ${record.version}: ${record.status}${record.decidedBy === null ? '' : ` (by ${record.decidedBy}: ${record.reason ?? ''})`}`,
    `  family ${manifest.family}, created ${manifest.createdAt}, ${manifest.featureNames.length} features`,
    `  sha256 ${manifest.model.sha256}`,
    `  data ${manifest.data.sha256} (${manifest.data.runs} runs: ${manifest.data.description})`,
    `  params ${JSON.stringify(manifest.params)}; training metrics ${JSON.stringify(manifest.metrics)}`,
    `evaluation (${e.heldOutSeeds}; ${e.evaluatedAt})`,
    `  fire      ${e.fire.detected}/${e.fire.runs} detected (${formatPercent(e.fire.detectionRate)}), median ${formatSeconds(e.fire.medianTimeToAlarmS)}, p90 ${formatSeconds(e.fire.p90TimeToAlarmS)}, heads-up ${formatSeconds(e.fire.medianTimeToHeadsUpS)}`,
    `  baseline  best ${formatPercent(e.baseline.best.detectionRate)} ${formatSeconds(e.baseline.best.medianTimeToAlarmS)}; ${baselines.join('; ')}`,
    `  speedup   ${e.speedupVsBestBaseline === null ? '-' : `${e.speedupVsBestBaseline.toFixed(2)} ×`} the best baseline`,
    `  nuisance  ${e.nuisance.runs} runs, ${e.nuisance.falseAlarmRuns} with a false alarm (${e.nuisance.falseAlarmsPerHour.toFixed(2)}/h), ${e.nuisance.headsUpRuns} heads-up`,
    `  normal    ${e.normal.runs} runs, ${e.normal.falseAlarmRuns} with a false alarm`,
    ...Object.entries(e.perClass).map(
      ([name, c]) =>
        `  class ${name}: ${c.detected}/${c.runs} detected, median ${formatSeconds(c.medianTimeToAlarmS)} vs baseline ${formatSeconds(c.baselineMedianTimeToAlarmS)}`,
    ),
    `decisions${decisions.length === 0 ? ': none' : ''}`,
    ...decisions.map(decisionLine),
    `experiments${experiments.length === 0 ? ': none' : ''}`,
    ...experiments.map(
      (x) => `  ${x.id}  params ${JSON.stringify(x.params)}  metrics ${JSON.stringify(x.metrics)}`,
    ),
    `report: ${hasReport ? `models/${record.version}/report.html` : 'none'}`,
  ];
}
