import { describe, expect, it } from 'vitest';
import { CODECS } from '../../shared/protocols/index.js';
import { ProtocolDecoder } from '../../shared/protocols/protocol-decoder.js';
import { PROTOCOL_NAMES } from '../../shared/schemas/readings.js';
import { CLEAN_ROOM_VALUES, defaultSource, hotSpotRampSource, rampSource } from './value-source.js';

describe('value sources', () => {
  it('ramps every channel linearly, then holds the end value', () => {
    const source = rampSource<'ze07'>({ co_ppm: 10 }, { co_ppm: 110 }, 50, 10);
    expect([0, 10, 35, 60, 500].map((t) => source.valueAt(t)?.co_ppm)).toEqual([10, 10, 60, 110, 110]);
  });

  it('ramps a thermal hot spot while the background stays put', () => {
    const source = hotSpotRampSource({
      backgroundC: 20,
      ambientC: 24,
      fromC: 40,
      toC: 240,
      durationS: 10,
      x: 3,
      y: 4,
      radius: 1,
    });
    const at = (t: number, x: number, y: number): number | undefined =>
      source.valueAt(t)?.pixels_c[y * 32 + x];
    expect([at(0, 3, 4), at(5, 3, 4), at(10, 3, 4), at(99, 3, 4)]).toEqual([40, 140, 240, 240]);
    expect(at(5, 30, 20)).toBe(20);
    expect(source.valueAt(5)?.ambient_c).toBe(24);
  });

  it.each(PROTOCOL_NAMES)(
    'default %s values survive encode and decode unchanged and in range',
    (protocol) => {
      const codec = CODECS[protocol];
      const values = defaultSource(protocol).valueAt(123);
      expect(values).toEqual(CLEAN_ROOM_VALUES[protocol]);
      const [frame] = new ProtocolDecoder(codec).push(codec.encode(values as never));
      expect(frame?.values).toEqual(values);
      expect(frame?.outOfRange).toEqual([]);
    },
  );
});
