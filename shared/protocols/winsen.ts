import { sum8 } from './bytes.js';
import type { HostCommand } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';

/**
 * Winsen modules (ZE07-CO, MH-Z19B) share one 9-byte frame shape behind 0xFF
 * and one checksum: the two's complement of the 8-bit sum of bytes 1..7.
 */
export const WINSEN_FRAME_LENGTH = 9;

export function winsenChecksum(bytes: Uint8Array, at: number): number {
  return (0x100 - sum8(bytes, at + 1, at + 8)) & 0xff;
}

export function winsenChecksumOk(bytes: Uint8Array, at: number): boolean {
  return winsenChecksum(bytes, at) === bytes[at + 8];
}

/** Fills in byte 8 of a 9-byte Winsen frame. */
export function withWinsenChecksum(bytes: Uint8Array): Uint8Array {
  bytes[8] = winsenChecksum(bytes, 0);
  return bytes;
}

/** Builds a host command `FF 01 CMD d0..d4 CS`. */
export function winsenCommand(command: number, data: readonly number[] = []): Uint8Array {
  const bytes = new Uint8Array(WINSEN_FRAME_LENGTH);
  bytes[0] = 0xff;
  bytes[1] = 0x01;
  bytes[2] = command;
  data.slice(0, 5).forEach((value, i) => (bytes[3 + i] = value));
  return withWinsenChecksum(bytes);
}

/** Host commands to Winsen modules: `FF 01 CMD` and five argument bytes. */
export const winsenCommandSpec: FrameSpec<HostCommand> = {
  frameLength: WINSEN_FRAME_LENGTH,
  headers: [new Uint8Array([0xff, 0x01])],
  checksumOk: winsenChecksumOk,
  parse: (b, at) => ({ command: b[at + 2] ?? 0, data: Array.from(b.subarray(at + 3, at + 8)) }),
};
