import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { EmberError } from '../../shared/errors.js';
import type { ThermalSeries } from '../../shared/dataset/sensor-series.js';

/**
 * The compact binary form of a run's thermal frames ("EWT1"), little-endian:
 * magic, u16 width, u16 height, u32 frames, f64 period, f64 times[frames],
 * i16 ambient[frames] (°C × 100), then the pixels (°C × 100) as the
 * difference from the same pixel one frame earlier, split into a plane of
 * low bytes and a plane of high bytes, the whole compressed with raw
 * deflate. Consecutive frames differ by little more than sensor noise, so
 * the high-byte plane is nearly constant and compresses to almost nothing.
 */
const MAGIC = 0x31545745; // "EWT1" read as a little-endian u32
const HEADER_BYTES = 4 + 2 + 2 + 4 + 8;

export function encodeThermalFile(series: ThermalSeries): Uint8Array {
  const frames = series.t_s.length;
  const pixels = series.width * series.height;
  const body = Buffer.alloc(HEADER_BYTES + frames * 8 + frames * 2 + frames * pixels * 2);
  let at = body.writeUInt32LE(MAGIC, 0);
  at = body.writeUInt16LE(series.width, at);
  at = body.writeUInt16LE(series.height, at);
  at = body.writeUInt32LE(frames, at);
  at = body.writeDoubleLE(series.period_s, at);
  for (let k = 0; k < frames; k++) at = body.writeDoubleLE(series.t_s[k] ?? 0, at);
  for (let k = 0; k < frames; k++) at = body.writeInt16LE(series.ambient_centi[k] ?? 0, at);
  const source = series.pixels_centi;
  const count = frames * pixels;
  for (let i = 0; i < count; i++) {
    // Wrapping 16-bit arithmetic, undone exactly when decoding.
    const delta = ((source[i] ?? 0) - (i >= pixels ? (source[i - pixels] ?? 0) : 0)) & 0xffff;
    body[at + i] = delta & 0xff;
    body[at + count + i] = delta >> 8;
  }
  return deflateRawSync(body, { level: 1 });
}

function corrupt(reason: string): EmberError {
  return new EmberError('EMBER_ERR_BAD_RUN', `thermal file: ${reason}`);
}

export function decodeThermalFile(bytes: Uint8Array): ThermalSeries {
  let body: Buffer;
  try {
    body = inflateRawSync(bytes);
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_RUN', 'thermal file: not a deflate stream', { cause: error });
  }
  if (body.length < HEADER_BYTES || body.readUInt32LE(0) !== MAGIC) throw corrupt('bad magic');
  const width = body.readUInt16LE(4);
  const height = body.readUInt16LE(6);
  const frames = body.readUInt32LE(8);
  const period = body.readDoubleLE(12);
  const pixels = width * height;
  const expected = HEADER_BYTES + frames * (8 + 2 + pixels * 2);
  if (body.length !== expected) throw corrupt(`length ${body.length}, expected ${expected}`);
  const t = new Float64Array(frames);
  let at = HEADER_BYTES;
  for (let k = 0; k < frames; k++, at += 8) t[k] = body.readDoubleLE(at);
  const ambient = new Int16Array(frames);
  for (let k = 0; k < frames; k++, at += 2) ambient[k] = body.readInt16LE(at);
  const count = frames * pixels;
  const values = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const delta = (body[at + i] ?? 0) | ((body[at + count + i] ?? 0) << 8);
    values[i] = delta + (i >= pixels ? (values[i - pixels] ?? 0) : 0);
  }
  return {
    protocol: 'mcu90640',
    period_s: period,
    width,
    height,
    t_s: t,
    pixels_centi: values,
    ambient_centi: ambient,
  };
}
