import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import type { TimeSeriesChartSpec } from './chart-spec.js';
import { renderTimeSeriesSvg } from './svg-chart.js';
import { geometryProblems, xmlProblems } from './svg-test-support.js';

const t = Array.from({ length: 101 }, (_, i) => i);

function spec(overrides: Partial<TimeSeriesChartSpec> = {}): TimeSeriesChartSpec {
  return {
    title: 'Run <7> & "friends"',
    width: 800,
    height: 500,
    xAxis: { range: [0, 100] },
    panels: [
      {
        title: 'Heat',
        yLabel: 'temperature',
        yUnit: '°C',
        series: [{ name: 'max pixel', t, values: t.map((s) => 20 + s) }],
        thresholds: [{ value: 57, label: 'fixed heat 57 °C' }],
      },
      {
        title: 'Gas',
        yLabel: 'CO',
        yUnit: 'ppm',
        series: [{ name: 'CO & CO₂', t, values: t.map((s) => s / 2) }],
      },
    ],
    markers: [
      { t: 50, label: 'ignition', colour: '#123456' },
      { t: 25, label: 'smoke alarm', colour: '#654321', style: 'dashed' },
    ],
    ...overrides,
  };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The plot rectangles, from their frames (the only unfilled rects with the axis grey). */
function plotFrames(svg: string): { left: number; top: number; width: number; height: number }[] {
  return [
    ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/g),
  ].map((m) => ({
    left: Number(m[1]),
    top: Number(m[2]),
    width: Number(m[3]),
    height: Number(m[4]),
  }));
}

function markerLineXs(svg: string, colour: string): number[] {
  return [
    ...svg.matchAll(
      new RegExp(
        `<line x1="([\\d.]+)" y1="[\\d.]+" x2="[\\d.]+" y2="[\\d.]+" stroke="${colour}" stroke-width="1.6"`,
        'g',
      ),
    ),
  ].map((m) => Number(m[1]));
}

describe('renderTimeSeriesSvg', () => {
  it('produces well-formed SVG with plain-number geometry', () => {
    const svg = renderTimeSeriesSvg(spec());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500"')).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
    expect(geometryProblems(svg)).toEqual([]);
  });

  it('shows the escaped title, series names, panel captions, thresholds and marker labels', () => {
    const svg = renderTimeSeriesSvg(spec());
    for (const text of [
      'Run &lt;7&gt; &amp; &quot;friends&quot;',
      'max pixel',
      'CO &amp; CO₂',
      'temperature (°C)',
      'CO (ppm)',
      'fixed heat 57 °C',
      'ignition 50 s',
      'smoke alarm 25 s',
    ]) {
      expect(svg).toContain(text);
    }
  });

  it('draws each marker through every panel at its time', () => {
    const svg = renderTimeSeriesSvg(spec());
    const frames = plotFrames(svg);
    expect(frames).toHaveLength(2);
    const [first] = frames;
    if (first === undefined) throw new Error('no plot frame');
    const ignition = markerLineXs(svg, '#123456');
    const smoke = markerLineXs(svg, '#654321');
    expect(ignition).toHaveLength(2);
    expect(smoke).toHaveLength(2);
    for (const x of ignition) expect(x).toBeCloseTo(first.left + first.width / 2, 1);
    for (const x of smoke) expect(x).toBeCloseTo(first.left + first.width / 4, 1);
    expect(svg).toMatch(/stroke="#654321" stroke-width="1.6" stroke-dasharray="6 4"/);
  });

  it('stacks panels top to bottom without overlap', () => {
    const [upper, lower] = plotFrames(renderTimeSeriesSvg(spec()));
    if (upper === undefined || lower === undefined) throw new Error('expected two panels');
    expect(upper.top + upper.height).toBeLessThan(lower.top);
    expect(lower.top + lower.height).toBeLessThan(500);
  });

  it('breaks a line at NaN gaps and draws a lone point as a dot', () => {
    const svg = renderTimeSeriesSvg(
      spec({
        panels: [
          {
            title: 'gappy',
            yLabel: 'v',
            series: [{ name: 'gappy', t: [0, 1, 2, 3, 4, 5, 6], values: [1, 2, NaN, 3, 4, NaN, 5] }],
          },
        ],
      }),
    );
    const path = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(path.match(/M/g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('draws empty, single-point and constant series without NaN', () => {
    const svg = renderTimeSeriesSvg({
      title: 'edge cases',
      width: 400,
      height: 300,
      panels: [
        { title: 'empty', yLabel: 'a', series: [{ name: 'nothing', t: [], values: [] }] },
        { title: 'one', yLabel: 'b', series: [{ name: 'single', t: [5], values: [42] }] },
        { title: 'flat', yLabel: 'c', series: [{ name: 'flat', t: [0, 1, 2], values: [7, 7, 7] }] },
      ],
    });
    expect(xmlProblems(svg)).toEqual([]);
    expect(geometryProblems(svg)).toEqual([]);
    expect(svg).toContain('no data');
    expect(svg).toContain('<circle');
    expect(svg).toMatch(/>7<\/text>|>7\.0<\/text>/);
  });

  it('labels the time axis as m:ss when asked', () => {
    const svg = renderTimeSeriesSvg(spec({ xAxis: { format: 'mm:ss', range: [0, 600] } }));
    expect(svg).toContain('>2:00</text>');
    expect(svg).toContain('time (m:ss)');
  });

  it('keeps ids apart for charts that share a page', () => {
    const a = renderTimeSeriesSvg(spec({ title: 'a' }));
    const b = renderTimeSeriesSvg(spec({ title: 'b' }));
    const idOf = (svg: string): string | undefined => /clipPath id="([^"]+)"/.exec(svg)?.[1];
    expect(idOf(a)).not.toBe(idOf(b));
    expect(renderTimeSeriesSvg(spec({ idPrefix: 'run"42' }))).toContain('clipPath id="run42-clip0"');
  });

  it('rejects specs no chart can honour with EMBER_ERR_BAD_CHART', () => {
    const mismatched = spec({
      panels: [{ title: 'x', yLabel: 'y', series: [{ name: 's', t: [1, 2], values: [1] }] }],
    });
    for (const bad of [
      spec({ width: 0 }),
      spec({ height: NaN }),
      spec({ panels: [] }),
      spec({ xAxis: { range: [5, 5] } }),
      mismatched,
    ]) {
      expect(
        isEmberError(
          caught(() => renderTimeSeriesSvg(bad)),
          'EMBER_ERR_BAD_CHART',
        ),
      ).toBe(true);
    }
  });
});
