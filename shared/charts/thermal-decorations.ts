import { COLORMAP_LUT, COLORMAP_SIZE, rgbHex } from './colormap.js';
import { INK } from './palette.js';
import { escapeXml, FONT_FAMILY, px, textWidth } from './svg-text.js';

/** Width in pixels that {@link colourBarSvg} needs beside an image. */
export const COLOUR_BAR_WIDTH = 86;
const BAR_WIDTH = 16;
const GRADIENT_STOPS = 64;

/** A temperature for a label: one decimal, and a true minus sign. */
export function formatCelsius(value: number): string {
  const text = value.toFixed(1);
  return `${text.startsWith('-') ? `−${text.slice(1)}` : text} °C`;
}

/**
 * An SVG fragment (no root element) drawing the colormap as a vertical bar
 * from `minC` at the bottom to `maxC` at the top, labelled at both ends and the
 * middle, in a box of {@link COLOUR_BAR_WIDTH} × `height` at (`left`, `top`).
 */
export function colourBarSvg(options: {
  left: number;
  top: number;
  height: number;
  minC: number;
  maxC: number;
  idPrefix: string;
}): string {
  const { left, top, minC, maxC } = options;
  const barLeft = left + 10;
  const barTop = top + 12;
  const barHeight = Math.max(20, options.height - 24);
  const barBottom = barTop + barHeight;
  const gradientId = `${options.idPrefix}-colormap`;
  let stops = '';
  for (let s = 0; s < GRADIENT_STOPS; s++) {
    const fraction = s / (GRADIENT_STOPS - 1);
    const i = Math.round(fraction * (COLORMAP_SIZE - 1)) * 3;
    const colour = rgbHex([COLORMAP_LUT[i] ?? 0, COLORMAP_LUT[i + 1] ?? 0, COLORMAP_LUT[i + 2] ?? 0]);
    stops += `<stop offset="${px(fraction * 100)}%" stop-color="${colour}"/>`;
  }
  const label = (y: number, value: number): string =>
    `<line x1="${px(barLeft + BAR_WIDTH)}" y1="${px(y)}" x2="${px(barLeft + BAR_WIDTH + 4)}" y2="${px(y)}" stroke="${INK.text}"/>` +
    `<text x="${px(barLeft + BAR_WIDTH + 7)}" y="${px(y + 4)}" font-family="${FONT_FAMILY}" font-size="11" ` +
    `fill="${INK.text}">${escapeXml(formatCelsius(value))}</text>`;
  return (
    `<g class="colour-bar">` +
    `<defs><linearGradient id="${gradientId}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>` +
    `<rect x="${px(barLeft)}" y="${px(barTop)}" width="${BAR_WIDTH}" height="${px(barHeight)}" fill="url(#${gradientId})" ` +
    `stroke="${INK.axis}"/>` +
    label(barTop, maxC) +
    label(barTop + barHeight / 2, (minC + maxC) / 2) +
    label(barBottom, minC) +
    `</g>`
  );
}

/** Height of the caption band above the image. */
const CAPTION_HEIGHT = 24;
const CAPTION_FONT_SIZE = 13;
/** The colour bar needs this much height to keep its three labels apart, even beside a small image. */
const MIN_LEGEND_HEIGHT = 140;

/** Where a thermal image and its caption and colour bar sit. */
export interface ThermalCanvas {
  width: number;
  height: number;
  imageTop: number;
  imageWidth: number;
  imageHeight: number;
}

/** The canvas an enlarged frame needs with its optional caption (above) and colour bar (right). */
export function thermalCanvas(
  imageWidth: number,
  imageHeight: number,
  parts: { caption: string | undefined; legend: boolean },
): ThermalCanvas {
  const imageTop = parts.caption === undefined ? 0 : CAPTION_HEIGHT;
  const captionWidth = parts.caption === undefined ? 0 : textWidth(parts.caption, CAPTION_FONT_SIZE) + 12;
  return {
    width: Math.ceil(Math.max(imageWidth + (parts.legend ? COLOUR_BAR_WIDTH : 0), captionWidth)),
    height: imageTop + (parts.legend ? Math.max(imageHeight, MIN_LEGEND_HEIGHT) : imageHeight),
    imageTop,
    imageWidth,
    imageHeight,
  };
}

/** The caption and colour bar of a thermal image, as an SVG fragment laid out on `canvas`. */
export function thermalDecorationsSvg(
  canvas: ThermalCanvas,
  parts: { caption: string | undefined; range: { minC: number; maxC: number } | undefined; idPrefix: string },
): string {
  const caption =
    parts.caption === undefined
      ? ''
      : `<text x="4" y="17" font-family="${FONT_FAMILY}" font-size="${CAPTION_FONT_SIZE}" font-weight="bold" ` +
        `fill="${INK.text}">${escapeXml(parts.caption)}</text>`;
  const bar =
    parts.range === undefined
      ? ''
      : colourBarSvg({
          left: canvas.imageWidth,
          top: canvas.imageTop,
          height: canvas.height - canvas.imageTop,
          idPrefix: parts.idPrefix,
          ...parts.range,
        });
  return caption + bar;
}
