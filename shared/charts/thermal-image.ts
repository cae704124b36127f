import sharp from 'sharp';
import { EmberError } from '../errors.js';
import { colormapIndex, COLORMAP_LUT, rgbHex } from './colormap.js';
import { finiteExtent, valuesOf } from './chart-scale.js';
import { INK } from './palette.js';
import { thermalCanvas, thermalDecorationsSvg } from './thermal-decorations.js';
import { upsampleTemperatures } from './thermal-upsample.js';
import { contentHash, px, sanitiseId } from './svg-text.js';

/** A thermal camera frame: `height` rows of `width` temperatures, row-major (ThermalChannels fits). */
export interface ThermalFrame {
  width: number;
  height: number;
  pixels_c: ArrayLike<number>;
}

/** The temperature range mapped onto the colormap. */
export interface ThermalRangeOptions {
  /** Coolest colour at this temperature; by default the coolest pixel. */
  minC?: number;
  /** Hottest colour at this temperature; by default the hottest pixel. */
  maxC?: number;
  /** The least span of an automatic range (default {@link DEFAULT_MIN_SPAN_C}). */
  minSpanC?: number;
}

/** Options of {@link thermalPng} and {@link thermalSvg}. */
export interface ThermalImageOptions extends ThermalRangeOptions {
  /** Output pixels per sensor pixel, 1..64 (default 10). */
  scale?: number;
  /** Draw the colour bar with its °C labels at the right (default true). */
  legend?: boolean;
  /** A line of text above the image, e.g. the time of the frame. */
  caption?: string;
  /** PNG only: interpolate temperatures between sensor pixels (default false: sharp blocks). */
  smooth?: boolean;
  /** SVG only: prefix of element ids, for several images on one HTML page. */
  idPrefix?: string;
}

/**
 * An automatic range never spans less than this: a room at 21 ± 0.3 °C
 * stretched over the whole colormap would look like a fire.
 */
export const DEFAULT_MIN_SPAN_C = 10;
/** The colour of a pixel with no reading: a grey the colormap never produces. */
export const DEAD_PIXEL_RGB: readonly [number, number, number] = [128, 128, 128];

function checkFrame(pixels: ArrayLike<number>, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new EmberError(
      'EMBER_ERR_BAD_CHART',
      `a thermal frame needs positive whole dimensions, got ${width}×${height}`,
    );
  }
  if (pixels.length !== width * height) {
    throw new EmberError(
      'EMBER_ERR_BAD_CHART',
      `a ${width}×${height} frame needs ${width * height} pixels, got ${pixels.length}`,
    );
  }
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) {
    throw new EmberError('EMBER_ERR_BAD_CHART', `scale must be a whole number from 1 to 64, got ${scale}`);
  }
}

/**
 * The temperatures the colormap spans. Given ends are kept; missing ends come
 * from the data, and an automatic range is widened upwards to `minSpanC`, so a
 * scene with nothing hot stays dark.
 */
export function thermalRange(
  pixels: ArrayLike<number>,
  options: ThermalRangeOptions = {},
): { minC: number; maxC: number } {
  const { minC, maxC } = options;
  const minSpan = options.minSpanC ?? DEFAULT_MIN_SPAN_C;
  for (const [name, value] of [
    ['minC', minC],
    ['maxC', maxC],
    ['minSpanC', options.minSpanC],
  ] as const) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new EmberError('EMBER_ERR_BAD_CHART', `${name} must be a finite number, got ${value}`);
    }
  }
  if (minC !== undefined && maxC !== undefined) {
    if (!(minC < maxC))
      throw new EmberError('EMBER_ERR_BAD_CHART', `minC (${minC}) must be below maxC (${maxC})`);
    return { minC, maxC };
  }
  const extent = finiteExtent(valuesOf(pixels));
  let lo = minC ?? extent?.[0] ?? 20;
  let hi = maxC ?? extent?.[1] ?? lo;
  const span = Math.max(minSpan, 1e-6);
  if (hi - lo < span) {
    if (maxC !== undefined) lo = hi - span;
    else hi = lo + span;
  }
  return { minC: lo, maxC: hi };
}

function colourInto(rgb: Uint8Array, offset: number, celsius: number, minC: number, span: number): void {
  if (!Number.isFinite(celsius)) {
    rgb.set(DEAD_PIXEL_RGB, offset);
    return;
  }
  const i = colormapIndex((celsius - minC) / span) * 3;
  rgb.set(COLORMAP_LUT.subarray(i, i + 3), offset);
}

/** Colours a frame: `width × height × 3` bytes of RGB, row-major, hottest pixel brightest. */
export function thermalToRgb(
  pixels_c: ArrayLike<number>,
  width: number,
  height: number,
  options: ThermalRangeOptions = {},
): Uint8Array {
  checkFrame(pixels_c, width, height);
  const { minC, maxC } = thermalRange(pixels_c, options);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) colourInto(rgb, p * 3, pixels_c[p] ?? NaN, minC, maxC - minC);
  return rgb;
}

/**
 * A thermal frame as a PNG: each sensor pixel enlarged `scale` times, with an
 * optional caption above and colour bar (min, middle, max °C) at the right.
 */
export async function thermalPng(frame: ThermalFrame, options: ThermalImageOptions = {}): Promise<Buffer> {
  const { width, height, pixels_c } = frame;
  const scale = options.scale ?? 10;
  checkFrame(pixels_c, width, height);
  checkScale(scale);
  const range = thermalRange(pixels_c, options);
  const method = options.smooth === true ? 'bilinear' : 'nearest';
  const big = upsampleTemperatures(pixels_c, width, height, scale, method);
  const legend = options.legend ?? true;
  const canvas = thermalCanvas(width * scale, height * scale, { caption: options.caption, legend });
  const rgb = thermalToRgb(big, canvas.imageWidth, canvas.imageHeight, range);
  try {
    const raw = { width: canvas.imageWidth, height: canvas.imageHeight, channels: 3 as const };
    const image = await sharp(rgb, { raw }).png().toBuffer();
    if (canvas.width === canvas.imageWidth && canvas.height === canvas.imageHeight) return image;
    const decorations = thermalDecorationsSvg(canvas, {
      caption: options.caption,
      range: legend ? range : undefined,
      idPrefix: 'thermal',
    });
    const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas.width}" height="${canvas.height}">${decorations}</svg>`;
    return await sharp({
      create: { width: canvas.width, height: canvas.height, channels: 3, background: INK.background },
    })
      .composite([
        { input: image, left: 0, top: canvas.imageTop },
        { input: Buffer.from(overlay), left: 0, top: 0 },
      ])
      .png()
      .toBuffer();
  } catch (error) {
    throw new EmberError('EMBER_ERR_RENDER', 'could not render the thermal image', { cause: error });
  }
}

function sameColour(rgb: Uint8Array, a: number, b: number): boolean {
  return rgb[a] === rgb[b] && rgb[a + 1] === rgb[b + 1] && rgb[a + 2] === rgb[b + 2];
}

/**
 * A thermal frame as a standalone SVG of rectangles, one per run of equal
 * colour along a row, for inline use in HTML reports. Always blocky: `smooth`
 * applies to PNGs only.
 */
export function thermalSvg(frame: ThermalFrame, options: ThermalImageOptions = {}): string {
  const { width, height, pixels_c } = frame;
  const scale = options.scale ?? 10;
  checkFrame(pixels_c, width, height);
  checkScale(scale);
  const range = thermalRange(pixels_c, options);
  const rgb = thermalToRgb(pixels_c, width, height, range);
  const idPrefix = sanitiseId(
    options.idPrefix ?? `th${contentHash(Array.from(valuesOf(pixels_c)).join(','))}`,
  );
  const legend = options.legend ?? true;
  const canvas = thermalCanvas(width * scale, height * scale, { caption: options.caption, legend });
  let rects = '';
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width) {
      const p = (y * width + x) * 3;
      let run = 1;
      while (x + run < width && sameColour(rgb, p, p + run * 3)) run++;
      const colour = rgbHex([rgb[p] ?? 0, rgb[p + 1] ?? 0, rgb[p + 2] ?? 0]);
      rects += `<rect x="${x * scale}" y="${canvas.imageTop + y * scale}" width="${run * scale}" height="${scale}" fill="${colour}"/>`;
      x += run;
    }
  }
  const size = `width="${px(canvas.width)}" height="${px(canvas.height)}"`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" ${size} viewBox="0 0 ${px(canvas.width)} ${px(canvas.height)}" ` +
    `id="${idPrefix}" role="img" aria-label="thermal image">` +
    `<rect width="100%" height="100%" fill="${INK.background}"/>` +
    `<g shape-rendering="crispEdges">${rects}</g>` +
    thermalDecorationsSvg(canvas, { caption: options.caption, range: legend ? range : undefined, idPrefix }) +
    `</svg>`
  );
}
