import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { encodeZe07, ze07 } from './ze07.js';
import { mcu90640 } from './mcu90640.js';
import { mcu680 } from './mcu680.js';
import { mhz19b } from './mhz19b.js';
import { pms5003 } from './pms5003.js';
import { ProtocolDecoder } from './protocol-decoder.js';
import { isEmberError } from '../errors.js';

const allWords = (value: number) => ({
  pm1_cf1_ugm3: value,
  pm25_cf1_ugm3: value,
  pm10_cf1_ugm3: value,
  pm1_ugm3: value,
  pm25_ugm3: value,
  pm10_ugm3: value,
  n0_3_per_dl: value,
  n0_5_per_dl: value,
  n1_0_per_dl: value,
  n2_5_per_dl: value,
  n5_0_per_dl: value,
  n10_per_dl: value,
});

const flatThermal = (c: number) => ({
  width: 32,
  height: 24,
  pixels_c: new Array<number>(768).fill(c),
  ambient_c: c,
});

describe('checksum edge cases', () => {
  it('PMS5003: the checksum is the plain byte sum, big-endian, past one byte', () => {
    const bytes = pms5003.encode(allWords(0xffff));
    // 0x42 + 0x4D + 0x00 + 0x1C + 24 × 0xFF = 0x1893: both checksum bytes are in use.
    expect(hex(bytes.subarray(30))).toBe('1893');
    expect(new ProtocolDecoder(pms5003).push(bytes)).toHaveLength(1);
  });

  it('ZE07: a byte sum that is a multiple of 256 gives checksum 0x00, not 0x100', () => {
    // 04+03+01+CH+CL+13+88 = 0xA3 + CH + CL; CH:CL = 0x005D makes it 0x100.
    const bytes = encodeZe07({ co_ppm: 9.3 }, 'active');
    expect(hex(bytes)).toBe('ff040301005d138800');
    expect(new ProtocolDecoder(ze07).push(bytes)[0]?.values.co_ppm).toBe(9.3);
  });

  it('ZE07 query-mode replies decode with the same checksum rule', () => {
    const bytes = encodeZe07({ co_ppm: 12.3 }, 'query');
    expect(hex(bytes)).toBe('ff86007b00000000ff');
    expect(new ProtocolDecoder(ze07).push(bytes)[0]?.values.co_ppm).toBe(12.3);
  });

  it('MH-Z19B: checksum 0x00 when bytes 1..7 sum to 0x100', () => {
    // 86 + 00 + 3A + 40 = 0x100 → CS 0x00; CO2 58 ppm, 24 °C.
    const bytes = mhz19b.encode({ co2_ppm: 58, sensor_temp_c: 24, status: 0 });
    expect(hex(bytes)).toBe('ff86003a4000000000');
  });

  it('MCU90640: the 16-bit word sum wraps and uses little-endian words', () => {
    const bytes = mcu90640.encode(flatThermal(300));
    // 0x5A5A + 0x0602 + 769 × 30000 = 0x0160_658C → 0x658C, stored little-endian.
    expect(hex(bytes.subarray(1542))).toBe('8c65');
    expect(new ProtocolDecoder(mcu90640).push(bytes)).toHaveLength(1);
  });

  it('MCU680: the 8-bit sum of bytes 0..18 wraps', () => {
    const bytes = mcu680.encode({
      temp_c: 85,
      humidity_pct: 100,
      pressure_hpa: 1100,
      iaq: 500,
      iaq_accuracy: 3,
      gas_ohm: 4294967295,
      altitude_m: -1,
    });
    let sum = 0;
    for (const b of bytes.subarray(0, 19)) sum += b;
    expect(sum).toBeGreaterThan(0xff);
    expect(bytes[19]).toBe(sum & 0xff);
  });

  it('every single-bit flip of a frame body is caught by the checksum', () => {
    const frame = pms5003.encode(allWords(123));
    for (let bit = 32; bit < 8 * 30; bit++) {
      const copy = frame.slice();
      copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      const decoder = new ProtocolDecoder(pms5003);
      expect(decoder.push(copy)).toHaveLength(0);
      expect(decoder.stats.checksumErrors).toBe(1);
    }
  });

  it('values a frame cannot carry are refused with a coded error', () => {
    for (const encode of [
      () => pms5003.encode(allWords(-1)),
      () => ze07.encode({ co_ppm: 7000 }),
      () => mcu90640.encode({ ...flatThermal(20), pixels_c: [1, 2, 3] }),
      () =>
        mcu680.encode({
          ...{ temp_c: 20, humidity_pct: 40, pressure_hpa: 1000 },
          iaq: 1,
          iaq_accuracy: 16,
          gas_ohm: 1,
          altitude_m: 0,
        }),
    ]) {
      expect(encode).toThrow();
      try {
        encode();
      } catch (error) {
        expect(isEmberError(error, 'EMBER_ERR_BAD_FRAME_VALUES')).toBe(true);
      }
    }
  });
});

describe('the MCU90640 header trap', () => {
  const trap = flatThermal(20);
  // Pixels 0..1 are 0x5A5A (231.30 °C) and pixel 2..3 spell the full header 5A 5A 02 06.
  trap.pixels_c[0] = 231.3;
  trap.pixels_c[1] = 231.3;
  trap.pixels_c[2] = 231.3;
  trap.pixels_c[3] = 0x0602 / 100;
  const frame = mcu90640.encode(trap);

  it('a frame holding the header inside its pixels decodes once, after a stray 5A 5A', () => {
    const stream = new Uint8Array([0x5a, 0x5a, 0x5a, ...frame, ...frame]);
    const decoder = new ProtocolDecoder(mcu90640);
    const frames = decoder.push(stream);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.values.pixels_c.slice(0, 4)).toEqual([231.3, 231.3, 231.3, 15.38]);
    expect(decoder.stats).toEqual({ frames: 2, checksumErrors: 0, droppedBytes: 3 });
  });

  it('a corrupted frame does not hide the next one behind its fake inner header', () => {
    const bad = frame.slice();
    bad[1000] = (bad[1000] ?? 0) ^ 0xff;
    const decoder = new ProtocolDecoder(mcu90640);
    const frames = decoder.push(new Uint8Array([...bad, ...frame]));
    expect(frames).toHaveLength(1);
    expect(decoder.stats.checksumErrors).toBeGreaterThanOrEqual(1);
    expect(decoder.stats.droppedBytes).toBe(bad.length);
  });

  it('never syncs on 5A 5A alone', () => {
    const decoder = new ProtocolDecoder(mcu90640);
    expect(decoder.push(fromHex('5a5a5a5a5a5a'.repeat(400)))).toHaveLength(0);
    expect(decoder.pendingBytes).toBeLessThanOrEqual(2);
  });
});
