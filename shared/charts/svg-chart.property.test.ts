import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartPanel, TimeSeries, TimeSeriesChartSpec } from './chart-spec.js';
import { renderTimeSeriesSvg } from './svg-chart.js';
import { geometryProblems, xmlProblems } from './svg-test-support.js';

/** Numbers as they come from sensors gone wrong: NaN gaps, infinities, subnormals, the extremes of double. */
const wildNumber = fc.oneof(
  fc.double({ noDefaultInfinity: false }),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double({ min: -1000, max: 1000, noNaN: true }),
);
const text = fc.string({ unit: 'binary', maxLength: 30 });

const series: fc.Arbitrary<TimeSeries> = fc
  .array(fc.tuple(wildNumber, wildNumber), { maxLength: 40 })
  .chain((points) =>
    fc.record({
      name: text,
      t: fc.constant(points.map(([time]) => time)),
      values: fc.constant(points.map(([, value]) => value)),
    }),
  );

const range = fc
  .tuple(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  )
  .filter(([lo, hi]) => lo < hi);

const panel: fc.Arbitrary<ChartPanel> = fc.record(
  {
    title: text,
    yLabel: text,
    yUnit: text,
    series: fc.array(series, { maxLength: 4 }),
    yRange: range,
    thresholds: fc.array(fc.record({ value: wildNumber, label: text }), { maxLength: 3 }),
  },
  { requiredKeys: ['title', 'yLabel', 'series'] },
);

const chartSpec: fc.Arbitrary<TimeSeriesChartSpec> = fc.record(
  {
    title: text,
    width: fc.integer({ min: 1, max: 2000 }),
    height: fc.integer({ min: 1, max: 2000 }),
    panels: fc.array(panel, { minLength: 1, maxLength: 4 }),
    xAxis: fc.record(
      { label: text, format: fc.constantFrom('seconds' as const, 'mm:ss' as const), range },
      { requiredKeys: [] },
    ),
    markers: fc.array(fc.record({ t: wildNumber, label: text, colour: text }), { maxLength: 6 }),
    idPrefix: text,
  },
  { requiredKeys: ['title', 'width', 'height', 'panels'] },
);

describe('renderTimeSeriesSvg, for any data', () => {
  it('yields well-formed SVG whose geometry is plain numbers', () => {
    fc.assert(
      fc.property(chartSpec, (spec) => {
        const svg = renderTimeSeriesSvg(spec);
        expect(xmlProblems(svg)).toEqual([]);
        expect(geometryProblems(svg)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the SVG checks themselves', () => {
  it('notice broken markup and bad numbers', () => {
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg/><svg/>')).not.toEqual([]);
    expect(xmlProblems('<svg a="1" a="2"/>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>ok &amp; fine</text></svg>')).toEqual([]);
    expect(geometryProblems('<path d="M1 2L3 NaN"/>')).not.toEqual([]);
    expect(geometryProblems('<rect x="1e+21"/>')).not.toEqual([]);
    expect(geometryProblems('<g transform="translate(16 20.5) rotate(-90)"/>')).toEqual([]);
  });
});
