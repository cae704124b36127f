import type { ParticulateChannels } from '../schemas/readings.js';
import { sum16, u16be } from './bytes.js';
import type { HostCommand, ProtocolCodec } from './codec.js';
import { rangeCheck, toRaw } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';

/** Plantower PMS5003: 32-byte big-endian frames behind "BM" and a length of 28. */
const FRAME_LENGTH = 32;

/** Frame words in order, after the header and length. */
const WORDS = [
  'pm1_cf1_ugm3',
  'pm25_cf1_ugm3',
  'pm10_cf1_ugm3',
  'pm1_ugm3',
  'pm25_ugm3',
  'pm10_ugm3',
  'n0_3_per_dl',
  'n0_5_per_dl',
  'n1_0_per_dl',
  'n2_5_per_dl',
  'n5_0_per_dl',
  'n10_per_dl',
] as const satisfies readonly (keyof ParticulateChannels)[];

export const PMS5003_COMMANDS = {
  mode: 0xe1,
  readPassive: 0xe2,
  sleep: 0xe4,
} as const;

/** Builds a 7-byte host command `42 4D CMD DATAH DATAL CSH CSL`. */
export function pms5003Command(command: number, data: number): Uint8Array {
  const bytes = new Uint8Array([0x42, 0x4d, command, (data >> 8) & 0xff, data & 0xff, 0, 0]);
  const sum = sum16(bytes, 0, 5);
  bytes[5] = sum >> 8;
  bytes[6] = sum & 0xff;
  return bytes;
}

const frame: FrameSpec<ParticulateChannels> = {
  frameLength: FRAME_LENGTH,
  headers: [new Uint8Array([0x42, 0x4d, 0x00, 0x1c])],
  checksumOk: (b, at) => sum16(b, at, at + 30) === u16be(b, at + 30),
  parse(b, at) {
    return {
      pm1_cf1_ugm3: u16be(b, at + 4),
      pm25_cf1_ugm3: u16be(b, at + 6),
      pm10_cf1_ugm3: u16be(b, at + 8),
      pm1_ugm3: u16be(b, at + 10),
      pm25_ugm3: u16be(b, at + 12),
      pm10_ugm3: u16be(b, at + 14),
      n0_3_per_dl: u16be(b, at + 16),
      n0_5_per_dl: u16be(b, at + 18),
      n1_0_per_dl: u16be(b, at + 20),
      n2_5_per_dl: u16be(b, at + 22),
      n5_0_per_dl: u16be(b, at + 24),
      n10_per_dl: u16be(b, at + 26),
    };
  },
};

const command: FrameSpec<HostCommand> = {
  frameLength: 7,
  headers: [new Uint8Array([0x42, 0x4d])],
  checksumOk: (b, at) => sum16(b, at, at + 5) === u16be(b, at + 5),
  parse: (b, at) => ({ command: b[at + 2] ?? 0, data: [b[at + 3] ?? 0, b[at + 4] ?? 0] }),
};

/** The module reports at most 1000 µg/m³; values there are saturated, not measured. */
const MASS_RANGE = { min: 0, max: 999 };

export const pms5003: ProtocolCodec<'pms5003'> = {
  protocol: 'pms5003',
  defaultBaudRate: 9600,
  frame,
  command,
  encode(values) {
    const bytes = new Uint8Array(FRAME_LENGTH);
    bytes.set([0x42, 0x4d, 0x00, 0x1c]);
    WORDS.forEach((name, i) => {
      const raw = toRaw(values[name], 1, 0, 0xffff, name);
      bytes[4 + 2 * i] = raw >> 8;
      bytes[5 + 2 * i] = raw & 0xff;
    });
    const sum = sum16(bytes, 0, 30);
    bytes[30] = sum >> 8;
    bytes[31] = sum & 0xff;
    return bytes;
  },
  outOfRange: rangeCheck({
    pm1_cf1_ugm3: MASS_RANGE,
    pm25_cf1_ugm3: MASS_RANGE,
    pm10_cf1_ugm3: MASS_RANGE,
    pm1_ugm3: MASS_RANGE,
    pm25_ugm3: MASS_RANGE,
    pm10_ugm3: MASS_RANGE,
  }),
};
