import type { CoChannels } from '../schemas/readings.js';
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
 * Winsen ZE07-CO. Active mode pushes `FF 04 03 01 CH CL RH RL CS` every
 * second; in query mode it answers `FF 01 86 …` with `FF 86 CH CL 00 00 00 00 CS`.
 * Both carry the concentration in tenths of a ppm.
 */
export const ZE07_FULL_RANGE_PPM = 500;

export const ZE07_COMMANDS = {
  toQueryMode: winsenCommand(0x78, [0x41]),
  toActiveMode: winsenCommand(0x78, [0x40]),
  query: winsenCommand(0x86),
} as const;

export type Ze07Mode = 'active' | 'query';

const frame: FrameSpec<CoChannels> = {
  frameLength: WINSEN_FRAME_LENGTH,
  headers: [new Uint8Array([0xff, 0x04, 0x03, 0x01]), new Uint8Array([0xff, 0x86])],
  checksumOk: winsenChecksumOk,
  parse: (b, at) => ({ co_ppm: u16be(b, at + (b[at + 1] === 0x86 ? 2 : 4)) / 10 }),
};

/** Builds the frame the module sends in `mode` (active push or query reply). */
export function encodeZe07(values: CoChannels, mode: Ze07Mode): Uint8Array {
  const raw = toRaw(values.co_ppm, 0.1, 0, 0xffff, 'co_ppm');
  const bytes =
    mode === 'active'
      ? new Uint8Array([0xff, 0x04, 0x03, 0x01, raw >> 8, raw & 0xff, 0x13, 0x88, 0])
      : new Uint8Array([0xff, 0x86, raw >> 8, raw & 0xff, 0, 0, 0, 0, 0]);
  return withWinsenChecksum(bytes);
}

export const ze07: ProtocolCodec<'ze07'> = {
  protocol: 'ze07',
  defaultBaudRate: 9600,
  frame,
  command: winsenCommandSpec,
  encode: (values) => encodeZe07(values, 'active'),
  outOfRange: rangeCheck({ co_ppm: { min: 0, max: ZE07_FULL_RANGE_PPM } }),
};
