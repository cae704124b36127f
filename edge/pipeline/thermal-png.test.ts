import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { thermalToRgb } from '../../shared/charts/thermal-image.js';
import { upsampleTemperatures } from '../../shared/charts/thermal-upsample.js';
import { encodeThermalPng } from './thermal-png.js';

function frame(hot: number): { width: number; height: number; pixels_c: number[] } {
  const pixels_c = Array.from({ length: 768 }, (_, i) => 20 + (i % 32) / 8 + (i === 300 ? hot : 0));
  pixels_c[5] = Number.NaN;
  return { width: 32, height: 24, pixels_c };
}

describe('encodeThermalPng', () => {
  it('gives exactly the pixels of the shared thermal image, as a PNG any decoder reads', async () => {
    for (const [hot, scale] of [
      [0, 1],
      [200, 2],
      [60, 4],
    ] as const) {
      const f = frame(hot);
      const png = encodeThermalPng(f, scale);
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([32 * scale, 24 * scale, 3]);
      const big = upsampleTemperatures(f.pixels_c, 32, 24, scale, 'nearest');
      const expected = thermalToRgb(big, 32 * scale, 24 * scale);
      expect(Buffer.from(data).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('refuses a frame whose size does not match, and a bad scale', () => {
    expect(() => encodeThermalPng({ width: 32, height: 24, pixels_c: [1, 2, 3] }, 2)).toThrow(/768|3 pixels/);
    expect(() => encodeThermalPng(frame(0), 0)).toThrow(/scale/);
  });
});
