import { describe, expect, it } from 'vitest';
import { colormapIndex, COLORMAP_LUT, COLORMAP_SIZE, colormapRgb, rgbHex } from './colormap.js';

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: readonly number[]): number {
  const linear = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r ?? 0) + 0.7152 * linear(g ?? 0) + 0.0722 * linear(b ?? 0);
}

describe('the colormap', () => {
  it('holds 256 colours', () => {
    expect(COLORMAP_LUT).toHaveLength(COLORMAP_SIZE * 3);
  });

  it('runs from near black to a bright pale yellow', () => {
    expect(luminance(colormapRgb(0))).toBeLessThan(0.01);
    expect(luminance(colormapRgb(1))).toBeGreaterThan(0.85);
    expect(colormapRgb(1)[2]).toBeLessThan(colormapRgb(1)[0]);
  });

  it('grows brighter at every step, so hotter always reads lighter', () => {
    let previous = -1;
    for (let i = 0; i < COLORMAP_SIZE; i++) {
      const current = luminance(colormapRgb(i / (COLORMAP_SIZE - 1)));
      expect(current).toBeGreaterThanOrEqual(previous);
      previous = current;
    }
  });

  // A mistyped stop would show up as a jump far beyond inferno's own steps (at most about 4 levels).
  it('changes colour smoothly between neighbouring entries', () => {
    for (let i = 3; i < COLORMAP_LUT.length; i++) {
      expect(Math.abs((COLORMAP_LUT[i] ?? 0) - (COLORMAP_LUT[i - 3] ?? 0))).toBeLessThanOrEqual(6);
    }
  });

  it('saturates outside [0, 1] and maps NaN to the coolest entry', () => {
    expect(colormapIndex(-3)).toBe(0);
    expect(colormapIndex(7)).toBe(255);
    expect(colormapIndex(NaN)).toBe(0);
    expect(colormapIndex(0.5)).toBe(128);
  });

  it('writes colours as hex', () => {
    expect(rgbHex([0, 128, 255])).toBe('#0080ff');
  });
});
