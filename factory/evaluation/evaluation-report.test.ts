import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { renderBarChartSvg } from './bar-chart-svg.js';
import { evaluationFigures } from './evaluation-figures.js';
import { evaluationReportHtml } from './evaluation-report.js';
import { fireLabels, nuisanceLabels, scored, schedule } from './outcome-fixtures.test-helper.js';
import { scoreRun } from './run-outcome.js';
import { hardestRuns, thinToPeaks } from './run-trace-chart.js';
import { summarise } from './summarise.js';

const policy = DEFAULT_ALARM_POLICY;
const outcomes = [
  scoreRun(scored('slow', fireLabels(60, { smoke: 200 }), schedule(400, [[180, 0.95]])), policy),
  scoreRun(
    scored('fast', fireLabels(60, { smoke: 90 }, 'tf1-open-wood'), schedule(400, [[65, 0.95]])),
    policy,
  ),
  scoreRun(scored('missed', fireLabels(60, {}), schedule(400, [[100, 0.5]])), policy),
  scoreRun(scored('loud', nuisanceLabels('toast'), schedule(400, [[50, 0.8]])), policy),
  scoreRun(scored('quiet <b>', nuisanceLabels('frying'), schedule(400, [[50, 0.1]])), policy),
];

describe('evaluation report', () => {
  it('picks missed and slow fires first and the loudest nuisances', () => {
    const { slowFires, loudNuisances } = hardestRuns(outcomes, 2);
    expect(slowFires.map((o) => o.runId)).toEqual(['missed', 'slow']);
    expect(loudNuisances.map((o) => o.runId)).toEqual(['loud', 'quiet <b>']);
  });

  it('is one self-contained page with inline charts naming every fire class, text escaped', () => {
    const html = evaluationReportHtml({
      summary: summarise(outcomes, { modelVersion: 'v<1>', heldOutSeeds: 'seeds 1-5' }),
      figures: evaluationFigures(outcomes),
      outcomes,
      policy,
    });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(1 + 3 + 2);
    expect(html).toContain('tf1-open-wood');
    expect(html).toContain('tf4-flaming-pu');
    expect(html).toContain('v&lt;1&gt;');
    expect(html).not.toContain('quiet <b>');
    expect(html).not.toMatch(/<(script|link|img)\b/);
  });

  it('draws "never" for a source that never alarmed and a bar for one that did', () => {
    const svg = renderBarChartSvg({
      title: 't',
      valueLabel: 's',
      series: [
        { name: 'a', colour: '#111111' },
        { name: 'b', colour: '#222222' },
      ],
      groups: [
        {
          label: 'g',
          bars: [
            { value: 10, whisker: 20, note: '1/1' },
            { value: null, note: '0/1' },
          ],
        },
      ],
      width: 600,
    });
    expect(svg).toContain('never (0/1)');
    expect(svg).toContain('1/1');
    expect(svg).toMatch(/<rect [^>]*height="11" fill="#111111"/);
  });

  it('thins a long trace keeping its peaks', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i === 7777 ? 1 : 0));
    const thin = thinToPeaks(
      values.map((_, i) => i),
      values,
      500,
    );
    expect(thin.values.length).toBeLessThanOrEqual(500);
    expect(Math.max(...thin.values)).toBe(1);
    expect(thin.t).toContain(7777);
  });
});
