import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { COLORMAP_LUT } from './colormap.js';
import { ALARM_MARKER_STYLES } from './palette.js';
import { arrangePngs, composePng, imageSize, svgToPng } from './png.js';
import { renderTimeSeriesSvg } from './svg-chart.js';
import { thermalPng, thermalSvg } from './thermal-image.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 32×24 frame at room temperature with a hot spot, like the MLX90640 over a starting fire. */
function hotSpotFrame(): { width: number; height: number; pixels_c: number[] } {
  const pixels_c = Array.from({ length: 32 * 24 }, (_, p) => {
    const x = p % 32;
    const y = Math.floor(p / 32);
    return 21 + 0.2 * Math.sin(p) + 250 * Math.exp(-((x - 22) ** 2 + (y - 9) ** 2) / 6);
  });
  return { width: 32, height: 24, pixels_c };
}

async function pixelAt(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return Array.from(data.subarray(i, i + 3));
}

const textSvg = (text: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/>` +
  `<text x="10" y="28" font-family="sans-serif" font-size="20">${text}</text></svg>`;

describe('svgToPng', () => {
  it('produces a PNG of the SVG size, doubled at 144 dpi', async () => {
    const png = await svgToPng(textSvg('Hello'));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(await imageSize(png)).toEqual({ width: 200, height: 40 });
    expect(await imageSize(await svgToPng(textSvg('Hello'), { density: 144 }))).toEqual({
      width: 400,
      height: 80,
    });
  });

  it('renders text through fontconfig: the text draws dark pixels on white', async () => {
    const withText = await sharp(await svgToPng(textSvg('Fire at 2:00'))).stats();
    const blank = await sharp(await svgToPng(textSvg(''))).stats();
    expect(blank.channels[0]?.min).toBe(255);
    expect(withText.channels[0]?.min).toBeLessThan(80);
  });

  it('wraps what sharp cannot read as EMBER_ERR_RENDER', async () => {
    await expect(svgToPng('<svg nonsense')).rejects.toSatisfy((error: unknown) =>
      isEmberError(error, 'EMBER_ERR_RENDER'),
    );
    await expect(svgToPng(textSvg('x'), { density: -1 })).rejects.toSatisfy((error: unknown) =>
      isEmberError(error, 'EMBER_ERR_BAD_CHART'),
    );
  });
});

describe('composePng and arrangePngs', () => {
  const red = (): Promise<Buffer> =>
    sharp({ create: { width: 10, height: 20, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
  const blue = (): Promise<Buffer> =>
    sharp({ create: { width: 30, height: 5, channels: 3, background: '#0000ff' } })
      .png()
      .toBuffer();

  it('places layers where asked on a white canvas, cropping what overflows', async () => {
    const png = await composePng(
      [
        { png: await red(), left: 5, top: 5 },
        { png: await blue(), left: 40, top: 30 },
      ],
      50,
      40,
    );
    expect(await imageSize(png)).toEqual({ width: 50, height: 40 });
    expect(await pixelAt(png, 7, 10)).toEqual([255, 0, 0]);
    expect(await pixelAt(png, 45, 32)).toEqual([0, 0, 255]);
    expect(await pixelAt(png, 1, 1)).toEqual([255, 255, 255]);
  });

  it('sizes a row or a column to fit its images', async () => {
    const beside = await arrangePngs([await red(), await blue()], { direction: 'beside', gap: 4 });
    expect(await imageSize(beside)).toEqual({ width: 44, height: 20 });
    expect(await pixelAt(beside, 20, 2)).toEqual([0, 0, 255]);
    const under = await arrangePngs([await red(), await blue()], { direction: 'under', gap: 4, margin: 2 });
    expect(await imageSize(under)).toEqual({ width: 34, height: 33 });
  });

  it('rejects a canvas with no pixels', async () => {
    await expect(composePng([], 0, 10)).rejects.toSatisfy((error: unknown) =>
      isEmberError(error, 'EMBER_ERR_BAD_CHART'),
    );
  });
});

describe('thermalPng', () => {
  it('enlarges the frame by the scale, with the hot spot in the top colour', async () => {
    const png = await thermalPng(hotSpotFrame(), { scale: 4, legend: false });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(await imageSize(png)).toEqual({ width: 128, height: 96 });
    expect(await pixelAt(png, 22 * 4 + 1, 9 * 4 + 2)).toEqual(Array.from(COLORMAP_LUT.subarray(765, 768)));
    // Far from the hot spot the room sits at the bottom of the range: near black.
    for (const channel of await pixelAt(png, 1, 90)) expect(channel).toBeLessThan(40);
  });

  it('adds room for the colour bar and caption', async () => {
    const png = await thermalPng(hotSpotFrame(), { scale: 10, caption: 'peak frame' });
    expect(await imageSize(png)).toEqual({ width: 320 + 86, height: 24 + 240 });
  });

  it('rejects a scale that is not a whole number from 1 to 64', async () => {
    await expect(thermalPng(hotSpotFrame(), { scale: 2.5 })).rejects.toSatisfy((error: unknown) =>
      isEmberError(error, 'EMBER_ERR_BAD_CHART'),
    );
  });
});

describe('a rendered run picture', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-charts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a chart beside the thermal frame, written to a file, and not blank', async () => {
    const t = Array.from({ length: 300 }, (_, i) => i);
    const chart = renderTimeSeriesSvg({
      title: 'sample run',
      width: 700,
      height: 420,
      xAxis: { format: 'mm:ss' },
      markers: [
        { t: 60, label: 'ignition', ...ALARM_MARKER_STYLES.ignition },
        { t: 150, label: 'model', ...ALARM_MARKER_STYLES.model },
      ],
      panels: [
        {
          title: 'Thermal',
          yLabel: 'max',
          yUnit: '°C',
          series: [{ name: 'max pixel', t, values: t.map((s) => 21 + Math.max(0, s - 60)) }],
        },
        {
          title: 'Gas',
          yLabel: 'CO',
          yUnit: 'ppm',
          series: [{ name: 'CO', t, values: t.map((s) => Math.max(0, s - 90) / 3) }],
        },
      ],
    });
    const thermal = await thermalPng(hotSpotFrame(), { scale: 8, caption: 'frame at 4:59' });
    const inline = await svgToPng(thermalSvg(hotSpotFrame(), { scale: 4 }));
    const picture = await arrangePngs([await svgToPng(chart), thermal, inline], {
      direction: 'beside',
      gap: 12,
      margin: 8,
    });
    const file = join(dir, 'run.png');
    await writeFile(file, picture);

    const written = await readFile(file);
    expect(written.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const size = await imageSize(written);
    expect(size.width).toBe(8 + 700 + 12 + (256 + 86) + 12 + (128 + 86) + 8);
    expect(size.height).toBe(420 + 16);
    const stats = await sharp(written).stats();
    for (const channel of stats.channels.slice(0, 3)) expect(channel.stdev).toBeGreaterThan(20);
    // The chart title is text at the top left: rendered glyphs leave dark pixels there.
    const title = await sharp(written).extract({ left: 8, top: 8, width: 200, height: 30 }).stats();
    expect(title.channels[0]?.min).toBeLessThan(100);
  });
});
