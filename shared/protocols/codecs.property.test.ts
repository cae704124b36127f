import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES, type ChannelsByProtocol, type ProtocolName } from '../schemas/readings.js';
import type { ProtocolCodec } from './codec.js';
import { CODECS } from './index.js';
import { ProtocolDecoder } from './protocol-decoder.js';
import { channelArbitraries } from './protocol-arbitraries.test-helper.js';

/** Splits `bytes` at the given cut points (taken modulo its length). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function decodeChunks<P extends ProtocolName>(codec: ProtocolCodec<P>, chunks: Uint8Array[]) {
  const decoder = new ProtocolDecoder(codec);
  const values = chunks.flatMap((chunk) => decoder.push(chunk).map((f) => f.values));
  return { values, decoder };
}

const runs = (protocol: ProtocolName) => (protocol === 'mcu90640' ? 40 : 200);

describe.each(PROTOCOL_NAMES)('%s codec properties', (protocol) => {
  const codec = CODECS[protocol] as unknown as ProtocolCodec<ProtocolName>;
  const values = channelArbitraries[protocol] as fc.Arbitrary<ChannelsByProtocol[ProtocolName]>;
  const headerStart = codec.frame.headers.map((h) => h[0]);
  /** Garbage that cannot start a frame, so every real frame must come back. */
  const plainGarbage = fc.uint8Array({ maxLength: 80 }).map((g) => g.filter((b) => !headerStart.includes(b)));

  it('encode → decode gives the values back', () => {
    fc.assert(
      fc.property(values, (v) => {
        const { values: decoded } = decodeChunks(codec, [codec.encode(v)]);
        expect(decoded).toEqual([v]);
      }),
      { numRuns: runs(protocol) },
    );
  });

  it('frames interleaved with garbage are all recovered, every dropped byte counted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(plainGarbage, values), { maxLength: 6 }), plainGarbage, (items, tail) => {
        const parts = items.flatMap(([garbage, v]) => [garbage, codec.encode(v)]);
        const { values: decoded, decoder } = decodeChunks(codec, [...parts, tail]);
        decoder.flush();
        expect(decoded).toEqual(items.map(([, v]) => v));
        const garbageBytes = items.reduce((n, [g]) => n + g.length, tail.length);
        expect(decoder.stats.droppedBytes).toBe(garbageBytes);
        expect(decoder.stats.checksumErrors).toBe(0);
      }),
      { numRuns: runs(protocol) },
    );
  });

  it('truncated and corrupted frames cost at most the frames they overlap', () => {
    const junk = fc.oneof(
      values.chain((v) =>
        fc.integer({ min: 1, max: codec.frame.frameLength - 1 }).map((n) => codec.encode(v).slice(0, n)),
      ),
      values.map((v) => {
        const bad = codec.encode(v).slice();
        bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x5a;
        return bad;
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(junk, values), { minLength: 1, maxLength: 5 }), (items) => {
        const parts = items.flatMap(([j, v]) => [j, codec.encode(v)]);
        const { values: decoded } = decodeChunks(codec, parts);
        const originals = items.map(([, v]) => JSON.stringify(v));
        const recovered = decoded.filter((d) => originals.includes(JSON.stringify(d)));
        const spurious = decoded.length - recovered.length;
        // A real frame can be lost only inside a spurious frame made of junk plus its first bytes.
        expect(recovered.length).toBeGreaterThanOrEqual(originals.length - spurious);
      }),
      { numRuns: runs(protocol) },
    );
  });

  it('the result does not depend on how the stream is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), values), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (items, cuts) => {
          const stream = concat(items.flatMap(([garbage, v]) => [garbage, codec.encode(v)]));
          const whole = decodeChunks(codec, [stream]);
          const pieces = decodeChunks(codec, split(stream, cuts));
          expect(pieces.values).toEqual(whole.values);
          expect(pieces.decoder.stats).toEqual(whole.decoder.stats);
        },
      ),
      { numRuns: runs(protocol) },
    );
  });

  it('random bytes never throw and the buffer stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 8 }), (chunks) => {
        const decoder = new ProtocolDecoder(codec);
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.pendingBytes).toBeLessThan(codec.frame.frameLength);
        }
        const { frames, checksumErrors, droppedBytes } = decoder.stats;
        const total = chunks.reduce((n, c) => n + c.length, 0);
        expect(frames * codec.frame.frameLength + droppedBytes + decoder.pendingBytes).toBe(total);
        expect(checksumErrors).toBeLessThanOrEqual(droppedBytes);
      }),
      { numRuns: runs(protocol) },
    );
  });
});
