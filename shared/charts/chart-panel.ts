import type { PlacedMarker } from './chart-markers.js';
import { renderMarkerLines } from './chart-markers.js';
import type { PlacedLegendItem } from './chart-legend.js';
import { renderLegend } from './chart-legend.js';
import type { Scale } from './chart-scale.js';
import { linearScale } from './chart-scale.js';
import type { ChartPanel, TimeSeries } from './chart-spec.js';
import type { AxisTicks } from './nice-ticks.js';
import { formatTickValue } from './nice-ticks.js';
import { DASH_ARRAYS, INK } from './palette.js';
import { escapeXml, FONT_FAMILY, px, textWidth, truncate } from './svg-text.js';

/** A pixel rectangle. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** One panel with its layout decided: where it sits and what its axes show. */
export interface PanelLayout {
  panel: ChartPanel;
  index: number;
  headerTop: number;
  plot: Box;
  legend: readonly PlacedLegendItem[];
  seriesColours: readonly string[];
  yTicks: AxisTicks;
  xScale: Scale;
  xTicks: AxisTicks;
  formatX: (t: number, step: number) => string;
  /** Only the bottom panel labels the shared time axis. */
  showXLabels: boolean;
  markers: readonly PlacedMarker[];
  clipId: string;
}

export const PANEL_TITLE_FONT_SIZE = 13;
export const TICK_FONT_SIZE = 11;

/** The y-axis caption: the label with its unit in brackets. */
export function yCaption(panel: ChartPanel): string {
  return panel.yUnit === undefined || panel.yUnit === '' ? panel.yLabel : `${panel.yLabel} (${panel.yUnit})`;
}

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${px(x)}" y="${px(y)}" font-family="${FONT_FAMILY}" ${attributes}>${escapeXml(content)}</text>`;
}

/**
 * The path of one series, broken at every non-finite time or value; points
 * with no neighbour on either side come back as dots, since a path of one
 * point draws nothing.
 */
export function seriesGeometry(
  series: TimeSeries,
  xScale: Scale,
  yScale: Scale,
): { d: string; dots: [number, number][]; points: number } {
  const parts: string[] = [];
  const dots: [number, number][] = [];
  let run: [number, number][] = [];
  let points = 0;
  const flush = (): void => {
    const first = run[0];
    if (run.length === 1 && first !== undefined) dots.push(first);
    if (run.length > 1)
      parts.push(run.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)} ${px(y)}`).join(''));
    run = [];
  };
  for (let i = 0; i < series.t.length; i++) {
    const t = series.t[i] ?? NaN;
    const v = series.values[i] ?? NaN;
    if (Number.isFinite(t) && Number.isFinite(v)) {
      run.push([xScale(t), yScale(v)]);
      points++;
    } else {
      flush();
    }
  }
  flush();
  return { d: parts.join(''), dots, points };
}

function renderGrid(layout: PanelLayout, yScale: Scale): string {
  const { plot, yTicks, xTicks, xScale } = layout;
  const right = plot.left + plot.width;
  const bottom = plot.top + plot.height;
  let out = '';
  for (const tick of yTicks.ticks) {
    const y = yScale(tick);
    out += `<line x1="${px(plot.left)}" y1="${px(y)}" x2="${px(right)}" y2="${px(y)}" stroke="${INK.grid}"/>`;
    out += text(
      plot.left - 6,
      y + 4,
      formatTickValue(tick, yTicks.step),
      `font-size="${TICK_FONT_SIZE}" text-anchor="end" fill="${INK.mutedText}"`,
    );
  }
  for (const tick of xTicks.ticks) {
    const x = xScale(tick);
    out += `<line x1="${px(x)}" y1="${px(plot.top)}" x2="${px(x)}" y2="${px(bottom)}" stroke="${INK.grid}"/>`;
    if (layout.showXLabels) {
      out += `<line x1="${px(x)}" y1="${px(bottom)}" x2="${px(x)}" y2="${px(bottom + 4)}" stroke="${INK.axis}"/>`;
      out += text(
        x,
        bottom + 17,
        layout.formatX(tick, xTicks.step),
        `font-size="${TICK_FONT_SIZE}" text-anchor="middle" fill="${INK.mutedText}"`,
      );
    }
  }
  return out;
}

function renderThresholds(layout: PanelLayout, yScale: Scale): string {
  const { plot, yTicks } = layout;
  const right = plot.left + plot.width;
  return (layout.panel.thresholds ?? [])
    .filter((line) => Number.isFinite(line.value) && line.value >= yTicks.min && line.value <= yTicks.max)
    .map((line) => {
      const y = yScale(line.value);
      const colour = escapeXml(line.colour ?? INK.mutedText);
      const dash = DASH_ARRAYS[line.style ?? 'dashed'];
      const dashAttribute = dash === undefined ? '' : ` stroke-dasharray="${dash}"`;
      return (
        `<line x1="${px(plot.left)}" y1="${px(y)}" x2="${px(right)}" y2="${px(y)}" stroke="${colour}" stroke-width="1.2"${dashAttribute}/>` +
        text(
          right - 4,
          y - 4,
          truncate(line.label, 50),
          `font-size="${TICK_FONT_SIZE}" text-anchor="end" fill="${colour}" stroke="${INK.background}" stroke-width="3" paint-order="stroke"`,
        )
      );
    })
    .join('');
}

function renderSeries(layout: PanelLayout, yScale: Scale): { svg: string; points: number } {
  let svg = '';
  let points = 0;
  layout.panel.series.forEach((series, s) => {
    const geometry = seriesGeometry(series, layout.xScale, yScale);
    points += geometry.points;
    const colour = escapeXml(layout.seriesColours[s] ?? INK.text);
    if (geometry.d !== '') {
      svg += `<path d="${geometry.d}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>`;
    }
    for (const [x, y] of geometry.dots)
      svg += `<circle cx="${px(x)}" cy="${px(y)}" r="2.5" fill="${colour}"/>`;
  });
  return { svg, points };
}

/** Draws one panel: header with title and legend, grid, ticks, thresholds, series, markers and frame. */
export function renderPanel(layout: PanelLayout): string {
  const { plot, panel } = layout;
  const bottom = plot.top + plot.height;
  const yScale = linearScale(layout.yTicks.min, layout.yTicks.max, bottom, plot.top);
  const titleBaseline = layout.headerTop + 14;
  const captionChars = Math.max(4, Math.floor(plot.height / (TICK_FONT_SIZE * 0.62)));
  const caption = truncate(yCaption(panel), captionChars);
  const captionY = plot.top + plot.height / 2;
  const series = renderSeries(layout, yScale);
  const empty =
    series.points === 0
      ? text(
          plot.left + plot.width / 2,
          captionY + 4,
          'no data',
          `font-size="${TICK_FONT_SIZE + 1}" text-anchor="middle" fill="${INK.axis}"`,
        )
      : '';
  return (
    `<g class="panel">` +
    `<clipPath id="${layout.clipId}"><rect x="${px(plot.left)}" y="${px(plot.top - 2)}" width="${px(plot.width)}" height="${px(plot.height + 4)}"/></clipPath>` +
    text(
      plot.left,
      titleBaseline,
      truncate(panel.title, 60),
      `font-size="${PANEL_TITLE_FONT_SIZE}" font-weight="bold" fill="${INK.text}"`,
    ) +
    renderLegend(layout.legend, plot.left, titleBaseline) +
    `<rect x="${px(plot.left)}" y="${px(plot.top)}" width="${px(plot.width)}" height="${px(plot.height)}" fill="${INK.background}"/>` +
    renderGrid(layout, yScale) +
    `<g clip-path="url(#${layout.clipId})">` +
    renderThresholds(layout, yScale) +
    series.svg +
    `</g>` +
    renderMarkerLines(layout.markers, plot.top, bottom) +
    empty +
    `<rect x="${px(plot.left)}" y="${px(plot.top)}" width="${px(plot.width)}" height="${px(plot.height)}" fill="none" stroke="${INK.axis}"/>` +
    `<text transform="translate(${px(16)} ${px(captionY)}) rotate(-90)" text-anchor="middle" font-family="${FONT_FAMILY}" ` +
    `font-size="${TICK_FONT_SIZE + 1}" fill="${INK.text}">${escapeXml(caption)}</text>` +
    `</g>`
  );
}

/** Width of the widest y tick label, for the left margin. */
export function yTickLabelWidth(ticks: AxisTicks): number {
  return Math.max(
    0,
    ...ticks.ticks.map((tick) => textWidth(formatTickValue(tick, ticks.step), TICK_FONT_SIZE)),
  );
}
