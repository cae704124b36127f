import { EmberError } from '../errors.js';
import type { LineStyle } from './palette.js';

/** One named line of a panel; a non-finite value or time leaves a gap. */
export interface TimeSeries {
  name: string;
  /** Seconds, ascending. */
  t: ArrayLike<number>;
  values: ArrayLike<number>;
  /** CSS colour; by default the next colour of the palette. */
  colour?: string;
}

/** A horizontal line across one panel, such as an alarm threshold. */
export interface ThresholdLine {
  value: number;
  label: string;
  colour?: string;
  style?: LineStyle;
}

/** One stacked plot of a chart, sharing the time axis with the others. */
export interface ChartPanel {
  title: string;
  /** The quantity on the y axis, e.g. "CO". */
  yLabel: string;
  /** Shown after the label in brackets, e.g. "ppm". */
  yUnit?: string;
  series: TimeSeries[];
  /** A fixed y range; by default the range of the data and thresholds. */
  yRange?: readonly [number, number];
  thresholds?: ThresholdLine[];
}

/** A vertical line through every panel at one time, such as ignition or an alarm. */
export interface TimeMarker {
  t: number;
  label: string;
  colour: string;
  style?: LineStyle;
}

/** The shared time axis. */
export interface TimeAxis {
  label?: string;
  /** Tick labels in seconds (the default) or as m:ss. */
  format?: 'seconds' | 'mm:ss';
  /** A fixed time range in seconds; by default the range of the data and markers. */
  range?: readonly [number, number];
}

/** Everything {@link renderTimeSeriesSvg} draws. */
export interface TimeSeriesChartSpec {
  title: string;
  /** Pixels. */
  width: number;
  height: number;
  panels: ChartPanel[];
  xAxis?: TimeAxis;
  markers?: TimeMarker[];
  /** Append the marker's time to its label (default true). */
  markerTimes?: boolean;
  /** Prefix of element ids; set it when several charts share one HTML page. Default: a hash of the spec. */
  idPrefix?: string;
}

function checkRange(range: readonly [number, number] | undefined, path: string): void {
  if (range === undefined) return;
  const [lo, hi] = range;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new EmberError('EMBER_ERR_BAD_CHART', `${path} must be two finite numbers, low before high`);
  }
}

/** Rejects what no drawing could honour; odd data (gaps, huge values, no points) is drawn, not rejected. */
export function checkChartSpec(spec: TimeSeriesChartSpec): void {
  for (const [name, size] of [
    ['width', spec.width],
    ['height', spec.height],
  ] as const) {
    if (!Number.isFinite(size) || size < 1 || size > 20_000) {
      throw new EmberError('EMBER_ERR_BAD_CHART', `${name} must be between 1 and 20000 pixels, got ${size}`);
    }
  }
  if (spec.panels.length === 0) {
    throw new EmberError('EMBER_ERR_BAD_CHART', 'panels must hold at least one panel');
  }
  checkRange(spec.xAxis?.range, 'xAxis.range');
  spec.panels.forEach((panel, p) => {
    checkRange(panel.yRange, `panels[${p}].yRange`);
    panel.series.forEach((series, s) => {
      if (series.t.length !== series.values.length) {
        throw new EmberError(
          'EMBER_ERR_BAD_CHART',
          `panels[${p}].series[${s}] has ${series.t.length} times but ${series.values.length} values`,
        );
      }
    });
  });
}
