import { layoutLegend, LEGEND_ROW_HEIGHT } from './chart-legend.js';
import { layoutMarkers, MARKER_ROW_HEIGHT, renderMarkerLabels } from './chart-markers.js';
import type { PanelLayout } from './chart-panel.js';
import { PANEL_TITLE_FONT_SIZE, renderPanel, yTickLabelWidth } from './chart-panel.js';
import { finiteExtent, linearScale, valuesOf, widenDegenerate } from './chart-scale.js';
import type { ChartPanel, TimeSeriesChartSpec } from './chart-spec.js';
import { checkChartSpec } from './chart-spec.js';
import type { AxisTicks } from './nice-ticks.js';
import { clampValue, formatMmSs, formatTickValue, niceTicks } from './nice-ticks.js';
import { INK, seriesColour } from './palette.js';
import { contentHash, escapeXml, FONT_FAMILY, px, sanitiseId, textWidth } from './svg-text.js';

const TITLE_FONT_SIZE = 16;
const TITLE_BAND = 34;
const BOTTOM_BAND = 46;
const PANEL_GAP = 14;
const HEADER_BASE = 20;
const MIN_PLOT_HEIGHT = 12;
const RIGHT_MARGIN = 16;
const DEFAULT_X_DOMAIN: readonly [number, number] = [0, 60];

function* panelTimes(spec: TimeSeriesChartSpec): Generator<number> {
  for (const panel of spec.panels) for (const series of panel.series) yield* valuesOf(series.t);
  for (const marker of spec.markers ?? []) yield marker.t;
}

function* panelValues(panel: ChartPanel): Generator<number> {
  for (const series of panel.series) yield* valuesOf(series.values);
  for (const line of panel.thresholds ?? []) yield line.value;
}

/** A given range, pulled inside the drawable values so its span stays finite. */
function drawableRange([lo, hi]: readonly [number, number]): [number, number] {
  return widenDegenerate([clampValue(lo), clampValue(hi)]);
}

function xAxisTicks(spec: TimeSeriesChartSpec, plotWidth: number): AxisTicks {
  const time = spec.xAxis?.format === 'mm:ss';
  const target = Math.min(12, Math.max(2, Math.round(plotWidth / 90)));
  const range = spec.xAxis?.range;
  if (range !== undefined) return niceTicks(...drawableRange(range), target, { time, fixed: true });
  const [lo, hi] = widenDegenerate(finiteExtent(panelTimes(spec)) ?? DEFAULT_X_DOMAIN);
  return niceTicks(lo, hi, target, { time });
}

function yAxisTicks(panel: ChartPanel, plotHeight: number): AxisTicks {
  const target = Math.min(8, Math.max(2, Math.round(plotHeight / 45)));
  if (panel.yRange !== undefined) return niceTicks(...drawableRange(panel.yRange), target, { fixed: true });
  const [lo, hi] = widenDegenerate(finiteExtent(panelValues(panel)) ?? [0, 1]);
  return niceTicks(lo, hi, target);
}

/**
 * Renders stacked time-series panels sharing one time axis, with alarm
 * markers through every panel, as a standalone SVG document that also works
 * inline in HTML. Gaps (NaN), single points, constant and enormous values all
 * draw; only a spec no chart could honour throws EMBER_ERR_BAD_CHART.
 */
export function renderTimeSeriesSvg(spec: TimeSeriesChartSpec): string {
  checkChartSpec(spec);
  const { width, height } = spec;
  const n = spec.panels.length;
  const idPrefix = sanitiseId(
    spec.idPrefix ??
      `ew${contentHash([spec.title, width, height, ...spec.panels.map((p) => p.title)].join('\u0001'))}`,
  );

  // The left margin depends on the y tick labels, which depend on the plot height; a first estimate of the
  // height settles the ticks, and the same ticks are kept once the exact heights are known.
  const roughPlotHeight = Math.max(
    MIN_PLOT_HEIGHT,
    (height - TITLE_BAND - BOTTOM_BAND) / n - HEADER_BASE - PANEL_GAP,
  );
  const yTicks = spec.panels.map((panel) => yAxisTicks(panel, roughPlotHeight));
  const left = Math.min(width / 3, 34 + Math.max(...yTicks.map(yTickLabelWidth)));
  const right = Math.max(left + 10, width - RIGHT_MARGIN);
  const plotWidth = right - left;

  const xTicks = xAxisTicks(spec, plotWidth);
  const xScale = linearScale(xTicks.min, xTicks.max, left, right);
  const mmss = spec.xAxis?.format === 'mm:ss';
  const formatX = (t: number, step: number): string =>
    mmss ? formatMmSs(t, step) : formatTickValue(t, step);
  const describeTime =
    spec.markerTimes === false
      ? undefined
      : (t: number): string => {
          const step = Number.isInteger(t) ? 1 : 0.1;
          return mmss ? formatMmSs(t, step) : `${formatTickValue(t, step)} s`;
        };
  const markers = layoutMarkers(spec.markers ?? [], xScale, { left, right }, width, describeTime);
  const markerBand = markers.rows === 0 ? 0 : markers.rows * MARKER_ROW_HEIGHT + 6;

  const colours = spec.panels.map((panel) => panel.series.map((s, i) => s.colour ?? seriesColour(i)));
  const legends = spec.panels.map((panel, p) =>
    layoutLegend(
      panel.series.map((s, i) => ({ name: s.name, colour: colours[p]?.[i] ?? INK.text })),
      textWidth(panel.title, PANEL_TITLE_FONT_SIZE) * 1.08 + 24,
      plotWidth,
    ),
  );
  const headerHeights = legends.map((legend) => HEADER_BASE + (legend.rows - 1) * LEGEND_ROW_HEIGHT);
  const fixedHeight = TITLE_BAND + markerBand + BOTTOM_BAND + (n - 1) * PANEL_GAP;
  const plotHeight = Math.max(
    MIN_PLOT_HEIGHT,
    (height - fixedHeight - headerHeights.reduce((a, b) => a + b, 0)) / n,
  );

  let y = TITLE_BAND + markerBand;
  const panels = spec.panels.map((panel, p): string => {
    const headerTop = y;
    const header = headerHeights[p] ?? HEADER_BASE;
    const layout: PanelLayout = {
      panel,
      index: p,
      headerTop,
      plot: { left, top: headerTop + header, width: plotWidth, height: plotHeight },
      legend: legends[p]?.placed ?? [],
      seriesColours: colours[p] ?? [],
      yTicks: yTicks[p] ?? niceTicks(0, 1, 2),
      xScale,
      xTicks,
      formatX,
      showXLabels: p === n - 1,
      markers: markers.placed,
      clipId: `${idPrefix}-clip${p}`,
    };
    y = headerTop + header + plotHeight + PANEL_GAP;
    return renderPanel(layout);
  });
  const plotsBottom = y - PANEL_GAP;
  const xLabel = spec.xAxis?.label ?? (mmss ? 'time (m:ss)' : 'time (s)');

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" ` +
    `viewBox="0 0 ${px(width)} ${px(height)}" id="${idPrefix}" role="img" aria-label="${escapeXml(spec.title)}">` +
    `<title>${escapeXml(spec.title)}</title>` +
    `<rect width="100%" height="100%" fill="${INK.background}"/>` +
    `<text x="${px(left)}" y="${px(TITLE_BAND - 12)}" font-family="${FONT_FAMILY}" font-size="${TITLE_FONT_SIZE}" ` +
    `font-weight="bold" fill="${INK.text}">${escapeXml(spec.title)}</text>` +
    renderMarkerLabels(markers.placed, TITLE_BAND, TITLE_BAND + markerBand) +
    panels.join('') +
    `<text x="${px(left + plotWidth / 2)}" y="${px(plotsBottom + 36)}" text-anchor="middle" font-family="${FONT_FAMILY}" ` +
    `font-size="12" fill="${INK.text}">${escapeXml(xLabel)}</text>` +
    `</svg>`
  );
}
