import { sum8 } from './bytes.js';
import type { HostCommand } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';

/** GY-MCU bridge boards take 4-byte commands `A5 CMD ARG CS`, CS the 8-bit sum of the first three. */
export function gyMcuCommand(command: number, arg: number): Uint8Array {
  const bytes = new Uint8Array([0xa5, command, arg, 0]);
  bytes[3] = sum8(bytes, 0, 3);
  return bytes;
}

export const gyMcuCommandSpec: FrameSpec<HostCommand> = {
  frameLength: 4,
  headers: [new Uint8Array([0xa5])],
  checksumOk: (b, at) => sum8(b, at, at + 3) === b[at + 3],
  parse: (b, at) => ({ command: b[at + 1] ?? 0, data: [b[at + 2] ?? 0] }),
};
