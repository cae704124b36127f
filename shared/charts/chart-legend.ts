import { escapeXml, FONT_FAMILY, px, textWidth, truncate } from './svg-text.js';
import { INK } from './palette.js';

/** One entry of a panel legend. */
export interface LegendItem {
  name: string;
  colour: string;
}

/** A legend entry with its place: a row and an offset from the left of the plot. */
export interface PlacedLegendItem extends LegendItem {
  x: number;
  row: number;
}

export const LEGEND_FONT_SIZE = 12;
export const LEGEND_ROW_HEIGHT = 16;
const SWATCH_WIDTH = 18;
const ITEM_GAP = 16;
const MAX_NAME_CHARS = 40;

/**
 * Flows legend entries left to right, starting the first row after
 * `firstRowOffset` (the panel title) and wrapping within `width`.
 */
export function layoutLegend(
  items: readonly LegendItem[],
  firstRowOffset: number,
  width: number,
): { placed: PlacedLegendItem[]; rows: number } {
  const placed: PlacedLegendItem[] = [];
  let row = 0;
  let x = firstRowOffset;
  for (const item of items) {
    const name = truncate(item.name, MAX_NAME_CHARS);
    const itemWidth = SWATCH_WIDTH + 5 + textWidth(name, LEGEND_FONT_SIZE);
    if (x > 0 && x + itemWidth > width) {
      row++;
      x = 0;
    }
    placed.push({ name, colour: item.colour, x, row });
    x += itemWidth + ITEM_GAP;
  }
  return { placed, rows: row + 1 };
}

/** Draws placed legend entries; `baseline` is the text baseline of the first row. */
export function renderLegend(placed: readonly PlacedLegendItem[], left: number, baseline: number): string {
  return placed
    .map((item) => {
      const x = left + item.x;
      const y = baseline + item.row * LEGEND_ROW_HEIGHT;
      const colour = escapeXml(item.colour);
      return (
        `<line x1="${px(x)}" y1="${px(y - 4)}" x2="${px(x + SWATCH_WIDTH)}" y2="${px(y - 4)}" ` +
        `stroke="${colour}" stroke-width="3" stroke-linecap="round"/>` +
        `<text x="${px(x + SWATCH_WIDTH + 5)}" y="${px(y)}" font-family="${FONT_FAMILY}" ` +
        `font-size="${LEGEND_FONT_SIZE}" fill="${INK.text}">${escapeXml(item.name)}</text>`
      );
    })
    .join('');
}
