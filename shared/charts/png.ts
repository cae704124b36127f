import sharp from 'sharp';
import { EmberError } from '../errors.js';
import { INK } from './palette.js';

/** One image placed on a canvas by {@link composePng}. */
export interface PngLayer {
  /** A PNG (or any image sharp reads, including SVG). */
  png: Buffer;
  top: number;
  left: number;
}

/** Rasterises an SVG document; `density` 72 (the default) keeps its size in pixels, 144 doubles it. */
export async function svgToPng(svg: string, options: { density?: number } = {}): Promise<Buffer> {
  const density = options.density ?? 72;
  if (!Number.isFinite(density) || density <= 0 || density > 2400) {
    throw new EmberError('EMBER_ERR_BAD_CHART', `density must be between 0 and 2400 dpi, got ${density}`);
  }
  try {
    return await sharp(Buffer.from(svg), { density }).png().toBuffer();
  } catch (error) {
    throw new EmberError('EMBER_ERR_RENDER', 'could not rasterise the SVG', { cause: error });
  }
}

/** Width and height of an image in pixels. */
export async function imageSize(image: Buffer): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(image).metadata();
    return { width, height };
  } catch (error) {
    throw new EmberError('EMBER_ERR_RENDER', 'could not read the image size', { cause: error });
  }
}

/** Places images on a white canvas of `width × height`; later layers cover earlier ones. */
export async function composePng(
  layers: readonly PngLayer[],
  width: number,
  height: number,
  options: { background?: string } = {},
): Promise<Buffer> {
  for (const [name, size] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(size) || size < 1 || size > 20_000) {
      throw new EmberError(
        'EMBER_ERR_BAD_CHART',
        `canvas ${name} must be a whole number from 1 to 20000, got ${size}`,
      );
    }
  }
  try {
    // sharp refuses a layer that overflows the canvas, so each one is cropped to what fits first.
    const inputs = await Promise.all(
      layers.map(async (layer) => {
        const left = Math.round(layer.left);
        const top = Math.round(layer.top);
        const size = await imageSize(layer.png);
        const visibleWidth = Math.min(size.width, width - left);
        const visibleHeight = Math.min(size.height, height - top);
        if (left < 0 || top < 0 || visibleWidth < 1 || visibleHeight < 1) return undefined;
        const input =
          visibleWidth === size.width && visibleHeight === size.height
            ? layer.png
            : await sharp(layer.png)
                .extract({ left: 0, top: 0, width: visibleWidth, height: visibleHeight })
                .toBuffer();
        return { input, left, top };
      }),
    );
    return await sharp({
      create: { width, height, channels: 3, background: options.background ?? INK.background },
    })
      .composite(inputs.filter((input) => input !== undefined))
      .png()
      .toBuffer();
  } catch (error) {
    if (error instanceof EmberError) throw error;
    throw new EmberError('EMBER_ERR_RENDER', 'could not compose the images', { cause: error });
  }
}

/**
 * Lays images out in a row (`beside`) or a column (`under`), top- or
 * left-aligned with `gap` pixels between them, on one canvas just big enough:
 * e.g. a chart with the thermal frame at the peak next to it.
 */
export async function arrangePngs(
  images: readonly Buffer[],
  options: { direction: 'beside' | 'under'; gap?: number; margin?: number; background?: string },
): Promise<Buffer> {
  if (images.length === 0)
    throw new EmberError('EMBER_ERR_BAD_CHART', 'arrangePngs needs at least one image');
  const gap = Math.max(0, Math.round(options.gap ?? 16));
  const margin = Math.max(0, Math.round(options.margin ?? 0));
  const sizes = await Promise.all(images.map(imageSize));
  const layers: PngLayer[] = [];
  let along = margin;
  let across = 0;
  images.forEach((png, i) => {
    const size = sizes[i] ?? { width: 0, height: 0 };
    layers.push(
      options.direction === 'beside' ? { png, left: along, top: margin } : { png, left: margin, top: along },
    );
    along += (options.direction === 'beside' ? size.width : size.height) + gap;
    across = Math.max(across, options.direction === 'beside' ? size.height : size.width);
  });
  const length = along - gap + margin;
  const breadth = across + 2 * margin;
  const [width, height] = options.direction === 'beside' ? [length, breadth] : [breadth, length];
  return composePng(
    layers,
    width,
    height,
    options.background === undefined ? {} : { background: options.background },
  );
}
