import type { ChannelsByProtocol, ProtocolName } from '../schemas/readings.js';
import { EmberError } from '../errors.js';
import type { FrameSpec } from './frame-scanner.js';

/** A plausible interval for one scalar channel; values outside it are flagged. */
export interface ChannelRange {
  readonly min: number;
  readonly max: number;
}

/** A host → module command, as a module emulator sees it. */
export interface HostCommand {
  /** The command byte. */
  readonly command: number;
  /** The argument bytes after the command byte, before the checksum. */
  readonly data: readonly number[];
}

/** Everything the edge and the emulators need to speak one module's protocol. */
export interface ProtocolCodec<P extends ProtocolName> {
  readonly protocol: P;
  readonly defaultBaudRate: number;
  /** Module → host frames. */
  readonly frame: FrameSpec<ChannelsByProtocol[P]>;
  /** Host → module commands. */
  readonly command: FrameSpec<HostCommand>;
  /** Builds the frame a module sends for `values` (rounded to the module's resolution). */
  encode(values: ChannelsByProtocol[P]): Uint8Array;
  /** Names of the channels whose value lies outside the module's physical range. */
  outOfRange(values: ChannelsByProtocol[P]): string[];
}

/**
 * Builds a check that names the channels of a frame outside `ranges`. The
 * range table is flattened once, because the check runs on every frame.
 */
export function rangeCheck<V extends object>(
  ranges: Partial<Record<keyof V & string, ChannelRange>>,
): (values: V) => string[] {
  const table = Object.entries(ranges) as [keyof V & string, ChannelRange][];
  return (values) => {
    const flagged: string[] = [];
    for (const [name, range] of table) {
      const value = values[name];
      if (typeof value === 'number' && !(value >= range.min && value <= range.max)) flagged.push(name);
    }
    return flagged;
  };
}

/** Rounds `value / step` to an integer and checks it fits [min, max]; throws a coded error otherwise. */
export function toRaw(value: number, step: number, min: number, max: number, what: string): number {
  const raw = Math.round(value / step);
  if (!Number.isFinite(raw) || raw < min || raw > max) {
    throw new EmberError(
      'EMBER_ERR_BAD_FRAME_VALUES',
      `${what}=${value} does not fit the frame (raw ${raw}, allowed ${min}..${max})`,
    );
  }
  return raw;
}
