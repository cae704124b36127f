import { alignColumns, formatSeconds } from './evaluation-table.js';
import type { RealFireOutcome, RealFireSummary } from './real-fires.js';

const mark = (ok: boolean | null): string => (ok === null ? '·' : ok ? 'yes' : 'NO');

/** The per-position table `evaluate --real` prints, then the totals. */
export function realFireTable(
  modelVersion: string,
  outcomes: readonly RealFireOutcome[],
  summary: RealFireSummary,
): string {
  const rows: string[][] = [
    [
      'test',
      'pos',
      'ignition',
      'heads-up',
      'high',
      'photoelectric',
      'ionization',
      'high ≤ pho',
      'heads-up ≤ ion',
      'note',
    ],
  ];
  for (const o of outcomes) {
    const notes = [
      o.verdict.silent ? 'SILENT' : '',
      o.verdict.beforeIgnition ? 'BEFORE IGNITION' : '',
      o.highFloors.length > 0 ? `floor: ${o.highFloors.join('+')}` : '',
    ].filter((n) => n !== '');
    rows.push([
      o.test,
      o.position,
      formatSeconds(o.ignition_s),
      formatSeconds(o.headsUpS),
      formatSeconds(o.highS),
      formatSeconds(o.first_photoelectric_s),
      formatSeconds(o.first_ionization_s),
      mark(o.verdict.highByPhotoelectric),
      mark(o.verdict.headsUpByIonization),
      notes.join(', '),
    ]);
  }
  const s = summary;
  return [
    `Real fires, model ${modelVersion} (seconds on each recording's clock)`,
    '',
    ...alignColumns(rows),
    '',
    `high no later than the first photoelectric alarm: ${String(s.highByPhotoelectric)} of ${String(s.withPhotoelectric)}`,
    `heads-up no later than the first ionization alarm: ${String(s.headsUpByIonization)} of ${String(s.withIonization)}`,
    `silent the whole fire: ${String(s.silent)} of ${String(s.positions)}`,
    `heads-up or high before ignition: ${String(s.beforeIgnition)} of ${String(s.positions)}`,
  ].join('\n');
}
