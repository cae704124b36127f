export type {
  ChartPanel,
  ThresholdLine,
  TimeAxis,
  TimeMarker,
  TimeSeries,
  TimeSeriesChartSpec,
} from './chart-spec.js';
export { renderTimeSeriesSvg } from './svg-chart.js';
export type { AlarmMarkerKind, LineStyle } from './palette.js';
export { ALARM_MARKER_STYLES, SERIES_COLOURS, seriesColour } from './palette.js';
export { COLORMAP_LUT, colormapRgb } from './colormap.js';
export type { ThermalFrame, ThermalImageOptions, ThermalRangeOptions } from './thermal-image.js';
export { DEFAULT_MIN_SPAN_C, thermalPng, thermalRange, thermalSvg, thermalToRgb } from './thermal-image.js';
export type { PngLayer } from './png.js';
export { arrangePngs, composePng, imageSize, svgToPng } from './png.js';
export { escapeXml } from './svg-text.js';
