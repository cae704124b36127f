import { deflateSync } from 'node:zlib';
import { COLORMAP_LUT, colormapIndex } from '../../shared/charts/colormap.js';
import { EmberError } from '../../shared/errors.js';

/**
 * A false-colour PNG of a thermal frame without an image library: the same
 * colormap and automatic range as shared/charts' thermalPng (coolest pixel
 * up to at least 10 °C above it), each sensor pixel a `scale` × `scale`
 * block, no legend. The edge renders with this so the agent process never
 * loads sharp and libvips, some 20 MB of resident memory it does not need.
 */
const MIN_SPAN_C = 10;
const DEAD_PIXEL: readonly number[] = [128, 128, 128];
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export interface ThermalPixels {
  readonly width: number;
  readonly height: number;
  readonly pixels_c: ArrayLike<number>;
}

/** Encodes `frame` as an 8-bit RGB PNG, `scale` (1-16) output pixels per sensor pixel. Pure. */
export function encodeThermalPng(frame: ThermalPixels, scale: number): Buffer {
  const { width, height, pixels_c } = frame;
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) {
    throw new EmberError('EMBER_ERR_RENDER', `thermal PNG scale must be 1-16, got ${String(scale)}`);
  }
  if (!(width > 0 && height > 0) || pixels_c.length !== width * height) {
    throw new EmberError(
      'EMBER_ERR_RENDER',
      `thermal frame of ${String(pixels_c.length)} pixels is not ${String(width)} × ${String(height)}`,
    );
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < pixels_c.length; i++) {
    const t = pixels_c[i] ?? NaN;
    if (!Number.isFinite(t)) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (lo === Infinity) lo = hi = 20;
  hi = Math.max(hi, lo + MIN_SPAN_C);
  const span = hi - lo;
  const outWidth = width * scale;
  const stride = 1 + outWidth * 3;
  const raw = Buffer.alloc(stride * height * scale);
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(stride); // filter byte 0: none
    for (let x = 0; x < width; x++) {
      const t = pixels_c[y * width + x] ?? NaN;
      const at = colormapIndex((t - lo) / span) * 3;
      const rgb = Number.isFinite(t) ? COLORMAP_LUT.subarray(at, at + 3) : DEAD_PIXEL;
      for (let s = 0; s < scale; s++) {
        const o = 1 + (x * scale + s) * 3;
        row[o] = rgb[0] ?? 0;
        row[o + 1] = rgb[1] ?? 0;
        row[o + 2] = rgb[2] ?? 0;
      }
    }
    for (let s = 0; s < scale; s++) row.copy(raw, (y * scale + s) * stride);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(outWidth, 0);
  header.writeUInt32BE(height * scale, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
