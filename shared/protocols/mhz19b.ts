import type { Co2Channels } from '../schemas/readings.js';
import { u16be } from './bytes.js';
import type { ProtocolCodec } from './codec.js';
import { rangeCheck, toRaw } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';
import {
  WINSEN_FRAME_LENGTH,
  winsenChecksumOk,
  winsenCommand,
  winsenCommandSpec,
  withWinsenChecksum,
} from './winsen.js';

/**
 * Winsen MH-Z19B NDIR CO₂ sensor. It never speaks unasked: the host polls
 * with `FF 01 86 …` and it answers `FF 86 HH LL TT SS U1 U2 CS`.
 */
export const MHZ19B_COMMANDS = {
  read: winsenCommand(0x86),
  autoCalibrationOn: winsenCommand(0x79, [0xa0]),
  autoCalibrationOff: winsenCommand(0x79, [0x00]),
  zeroPointCalibration: winsenCommand(0x87),
} as const;

const frame: FrameSpec<Co2Channels> = {
  frameLength: WINSEN_FRAME_LENGTH,
  headers: [new Uint8Array([0xff, 0x86])],
  checksumOk: winsenChecksumOk,
  parse: (b, at) => ({
    co2_ppm: u16be(b, at + 2),
    sensor_temp_c: (b[at + 4] ?? 0) - 40,
    status: b[at + 5] ?? 0,
  }),
};

export const mhz19b: ProtocolCodec<'mhz19b'> = {
  protocol: 'mhz19b',
  defaultBaudRate: 9600,
  frame,
  command: winsenCommandSpec,
  encode(values) {
    const co2 = toRaw(values.co2_ppm, 1, 0, 0xffff, 'co2_ppm');
    const temp = toRaw(values.sensor_temp_c + 40, 1, 0, 0xff, 'sensor_temp_c');
    const status = toRaw(values.status, 1, 0, 0xff, 'status');
    return withWinsenChecksum(new Uint8Array([0xff, 0x86, co2 >> 8, co2 & 0xff, temp, status, 0, 0, 0]));
  },
  outOfRange: rangeCheck({
    co2_ppm: { min: 0, max: 5000 },
    sensor_temp_c: { min: -20, max: 85 },
  }),
};
