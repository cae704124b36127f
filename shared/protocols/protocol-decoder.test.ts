import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mhz19b } from './mhz19b.js';
import { DecoderStream, type DecodedFrame } from './protocol-decoder.js';

describe('DecoderStream', () => {
  it('turns byte chunks into flagged frames and keeps the stats', async () => {
    const a = mhz19b.encode({ co2_ppm: 415, sensor_temp_c: 25, status: 0 });
    const b = mhz19b.encode({ co2_ppm: 9000, sensor_temp_c: 31, status: 0 });
    const bytes = Buffer.concat([Buffer.from([1, 2, 3]), a, b]);
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 14), bytes.subarray(14)];
    const stream = new DecoderStream(mhz19b);
    const frames: DecodedFrame<'mhz19b'>[] = [];
    for await (const frame of Readable.from(chunks).pipe(stream))
      frames.push(frame as DecodedFrame<'mhz19b'>);
    expect(frames.map((f) => f.values.co2_ppm)).toEqual([415, 9000]);
    expect(frames.map((f) => f.outOfRange)).toEqual([[], ['co2_ppm']]);
    expect(stream.decoder.stats).toEqual({ frames: 2, checksumErrors: 0, droppedBytes: 3 });
  });

  it('counts a partial frame left at the end of the stream as dropped', async () => {
    const a = mhz19b.encode({ co2_ppm: 415, sensor_temp_c: 25, status: 0 });
    const stream = new DecoderStream(mhz19b);
    const frames: unknown[] = [];
    for await (const frame of Readable.from([Buffer.concat([a, a.subarray(0, 4)])]).pipe(stream))
      frames.push(frame);
    expect(frames).toHaveLength(1);
    expect(stream.decoder.stats.droppedBytes).toBe(4);
  });
});
