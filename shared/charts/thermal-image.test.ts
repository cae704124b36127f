import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { COLORMAP_LUT } from './colormap.js';
import {
  DEAD_PIXEL_RGB,
  DEFAULT_MIN_SPAN_C,
  thermalRange,
  thermalSvg,
  thermalToRgb,
} from './thermal-image.js';
import { upsampleTemperatures } from './thermal-upsample.js';
import { xmlProblems } from './svg-test-support.js';

const top = Array.from(COLORMAP_LUT.subarray(255 * 3, 256 * 3));
const bottom = Array.from(COLORMAP_LUT.subarray(0, 3));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('thermalRange', () => {
  it('spans the data when it is wider than the minimum span', () => {
    expect(thermalRange([20, 25, 300])).toEqual({ minC: 20, maxC: 300 });
  });

  it('widens a quiet scene upwards so noise stays dark', () => {
    expect(thermalRange([21, 21.3, 20.8])).toEqual({ minC: 20.8, maxC: 20.8 + DEFAULT_MIN_SPAN_C });
  });

  it('keeps given ends and widens away from them', () => {
    expect(thermalRange([21, 22], { minC: 0, maxC: 100 })).toEqual({ minC: 0, maxC: 100 });
    expect(thermalRange([21, 22], { maxC: 25 })).toEqual({ minC: 15, maxC: 25 });
    expect(thermalRange([21, 400], { minC: 0 })).toEqual({ minC: 0, maxC: 400 });
    expect(thermalRange([NaN, NaN])).toEqual({ minC: 20, maxC: 30 });
  });

  it('rejects inverted or non-finite ends', () => {
    expect(
      isEmberError(
        caught(() => thermalRange([1], { minC: 5, maxC: 5 })),
        'EMBER_ERR_BAD_CHART',
      ),
    ).toBe(true);
    expect(
      isEmberError(
        caught(() => thermalRange([1], { maxC: Infinity })),
        'EMBER_ERR_BAD_CHART',
      ),
    ).toBe(true);
  });
});

describe('thermalToRgb', () => {
  it('gives the hottest pixel the top colour and the coolest the bottom one', () => {
    const pixels = [22, 23, 180, 21, 24, 25];
    const rgb = thermalToRgb(pixels, 3, 2);
    expect(rgb).toHaveLength(18);
    expect(Array.from(rgb.subarray(6, 9))).toEqual(top);
    expect(Array.from(rgb.subarray(9, 12))).toEqual(bottom);
  });

  it('saturates pixels beyond a given range', () => {
    const rgb = thermalToRgb([-50, 500], 2, 1, { minC: 0, maxC: 100 });
    expect(Array.from(rgb.subarray(0, 3))).toEqual(bottom);
    expect(Array.from(rgb.subarray(3, 6))).toEqual(top);
  });

  it('paints dead pixels grey', () => {
    const rgb = thermalToRgb([20, NaN, 40, 30], 2, 2);
    expect(Array.from(rgb.subarray(3, 6))).toEqual(DEAD_PIXEL_RGB);
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(
      isEmberError(
        caught(() => thermalToRgb([1, 2, 3], 2, 2)),
        'EMBER_ERR_BAD_CHART',
      ),
    ).toBe(true);
    expect(
      isEmberError(
        caught(() => thermalToRgb([], 0, 0)),
        'EMBER_ERR_BAD_CHART',
      ),
    ).toBe(true);
  });
});

describe('upsampleTemperatures', () => {
  it('repeats each pixel in blocks for nearest', () => {
    expect(Array.from(upsampleTemperatures([1, 2], 2, 1, 2, 'nearest'))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it('interpolates temperatures between pixel centres for bilinear', () => {
    const out = upsampleTemperatures([0, 10], 2, 1, 4, 'bilinear');
    expect(out[0]).toBe(0);
    expect(out[7]).toBe(10);
    for (let i = 1; i < 8; i++) expect(out[i] ?? NaN).toBeGreaterThanOrEqual(out[i - 1] ?? NaN);
    expect(out[4]).toBeGreaterThan(0);
    expect(out[4]).toBeLessThan(10);
  });

  it('does not smear a dead pixel into its neighbours', () => {
    const out = upsampleTemperatures([20, NaN], 2, 1, 4, 'bilinear');
    expect(Array.from(out.subarray(0, 4))).toEqual([20, 20, 20, 20]);
    expect(Number.isNaN(out[6])).toBe(true);
  });
});

describe('thermalSvg', () => {
  const frame = { width: 4, height: 3, pixels_c: [20, 20, 20, 20, 20, 90, 20, 20, 20, 20, 20, 20] };

  it('is well-formed, sized by the scale, and merges runs of equal colour', () => {
    const svg = thermalSvg(frame, { scale: 5, legend: false });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('width="20" height="15"');
    // Row 0 is one run, row 1 three runs, row 2 one run.
    expect(svg.match(/<rect x=/g)).toHaveLength(5);
  });

  it('adds a colour bar with min and max labels', () => {
    const svg = thermalSvg(frame, { scale: 5, caption: 'peak <frame>' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('90.0 °C');
    expect(svg).toContain('20.0 °C');
    expect(svg).toContain('peak &lt;frame&gt;');
    expect(svg).toContain('<linearGradient');
  });
});
