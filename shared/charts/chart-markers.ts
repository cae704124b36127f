import type { TimeMarker } from './chart-spec.js';
import type { Scale } from './chart-scale.js';
import { DASH_ARRAYS, INK } from './palette.js';
import { escapeXml, FONT_FAMILY, px, textWidth, truncate } from './svg-text.js';

/** A marker with its label placed in the band above the panels. */
export interface PlacedMarker {
  x: number;
  text: string;
  colour: string;
  dash: string | undefined;
  /** Centre of the label, kept inside the chart. */
  labelX: number;
  row: number;
}

export const MARKER_FONT_SIZE = 11;
export const MARKER_ROW_HEIGHT = 15;
const LABEL_GAP = 8;

/**
 * Places marker labels in rows so that alarms seconds apart do not print over
 * each other: each label takes the first row where it clears its left neighbour.
 */
export function layoutMarkers(
  markers: readonly TimeMarker[],
  xScale: Scale,
  plot: { left: number; right: number },
  chartWidth: number,
  describeTime: ((t: number) => string) | undefined,
): { placed: PlacedMarker[]; rows: number } {
  const visible = markers
    .filter((marker) => Number.isFinite(marker.t))
    .map((marker) => ({ marker, x: xScale(marker.t) }))
    .filter(({ x }) => x >= plot.left - 0.5 && x <= plot.right + 0.5)
    .sort((a, b) => a.x - b.x);
  const rowEnds: number[] = [];
  const placed = visible.map(({ marker, x }): PlacedMarker => {
    const label = truncate(marker.label, 40);
    const text = describeTime === undefined ? label : `${label} ${describeTime(marker.t)}`;
    const half = textWidth(text, MARKER_FONT_SIZE) / 2;
    const labelX = Math.min(Math.max(x, half + 4), chartWidth - half - 4);
    let row = rowEnds.findIndex((end) => end + LABEL_GAP <= labelX - half);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = labelX + half;
    return { x, text, colour: marker.colour, dash: DASH_ARRAYS[marker.style ?? 'solid'], labelX, row };
  });
  return { placed, rows: rowEnds.length };
}

/**
 * The labels of the marker band, each with a thin stem down to its time. Stems
 * go first and labels carry a white halo, so a stem never strikes through a
 * label of another row.
 */
export function renderMarkerLabels(
  placed: readonly PlacedMarker[],
  bandTop: number,
  bandBottom: number,
): string {
  const baselineOf = (marker: PlacedMarker): number => bandTop + (marker.row + 1) * MARKER_ROW_HEIGHT - 4;
  const stems = placed.map(
    (marker) =>
      `<line x1="${px(marker.x)}" y1="${px(baselineOf(marker) + 3)}" x2="${px(marker.x)}" y2="${px(bandBottom)}" ` +
      `stroke="${escapeXml(marker.colour)}" stroke-width="1" stroke-opacity="0.7"/>`,
  );
  const labels = placed.map(
    (marker) =>
      `<text x="${px(marker.labelX)}" y="${px(baselineOf(marker))}" text-anchor="middle" font-family="${FONT_FAMILY}" ` +
      `font-size="${MARKER_FONT_SIZE}" font-weight="bold" fill="${escapeXml(marker.colour)}" stroke="${INK.background}" ` +
      `stroke-width="3" paint-order="stroke">${escapeXml(marker.text)}</text>`,
  );
  return stems.join('') + labels.join('');
}

/** The marker lines through one plot area. */
export function renderMarkerLines(placed: readonly PlacedMarker[], top: number, bottom: number): string {
  return placed
    .map((marker) => {
      const dash = marker.dash === undefined ? '' : ` stroke-dasharray="${marker.dash}"`;
      return (
        `<line x1="${px(marker.x)}" y1="${px(top)}" x2="${px(marker.x)}" y2="${px(bottom)}" ` +
        `stroke="${escapeXml(marker.colour)}" stroke-width="1.6"${dash}/>`
      );
    })
    .join('');
}
