import type { ThermalChannels } from '../schemas/readings.js';
import { i16le, u16le } from './bytes.js';
import type { ProtocolCodec } from './codec.js';
import { EmberError } from '../errors.js';
import { rangeCheck, toRaw } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';
import { gyMcuCommand, gyMcuCommandSpec } from './gy-mcu.js';

/**
 * GY-MCU90640: an MLX90640 32×24 thermal array behind a UART bridge. Frames
 * are little-endian; the decoder syncs on all four header bytes because
 * 0x5A5A alone is also a legal pixel (231.30 °C).
 */
export const THERMAL_WIDTH = 32;
export const THERMAL_HEIGHT = 24;
const PIXELS = THERMAL_WIDTH * THERMAL_HEIGHT;
const FRAME_LENGTH = 1544;
const CHECKSUM_AT = 1542;
export const THERMAL_RANGE_C = { min: -40, max: 300 } as const;

/** Frame rates selected by `A5 25 0r`, r = index (project choice). */
export const MCU90640_RATES_HZ = [0.5, 1, 2, 4, 8, 16] as const;
/** Baud rates selected by `A5 15 0x`, x = index + 1. */
export const MCU90640_BAUD_RATES = [9600, 115200, 460800] as const;

export const MCU90640_COMMANDS = {
  continuous: gyMcuCommand(0x35, 0x02),
  oneFrame: gyMcuCommand(0x35, 0x01),
  readEmissivity: gyMcuCommand(0x55, 0x01),
  rate: (hz: (typeof MCU90640_RATES_HZ)[number]) => gyMcuCommand(0x25, MCU90640_RATES_HZ.indexOf(hz)),
  baud: (baud: (typeof MCU90640_BAUD_RATES)[number]) =>
    gyMcuCommand(0x15, MCU90640_BAUD_RATES.indexOf(baud) + 1),
} as const;

export const MCU90640_COMMAND_BYTES = { mode: 0x35, rate: 0x25, baud: 0x15, emissivity: 0x55 } as const;

function checksum(b: Uint8Array, at: number): number {
  let sum = 0;
  for (let i = at; i < at + CHECKSUM_AT; i += 2) sum += (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
  return sum & 0xffff;
}

const frame: FrameSpec<ThermalChannels> = {
  frameLength: FRAME_LENGTH,
  headers: [new Uint8Array([0x5a, 0x5a, 0x02, 0x06])],
  checksumOk: (b, at) => checksum(b, at) === u16le(b, at + CHECKSUM_AT),
  parse(b, at) {
    const pixels = new Array<number>(PIXELS);
    for (let p = 0, i = at + 4; p < PIXELS; p++, i += 2) {
      const raw = (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
      pixels[p] = (raw >= 0x8000 ? raw - 0x10000 : raw) / 100;
    }
    return {
      width: THERMAL_WIDTH,
      height: THERMAL_HEIGHT,
      pixels_c: pixels,
      ambient_c: i16le(b, at + 1540) / 100,
    };
  },
};

const ambientCheck = rangeCheck<ThermalChannels>({ ambient_c: THERMAL_RANGE_C });

function putI16le(bytes: Uint8Array, at: number, value: number): void {
  const raw = value < 0 ? value + 0x10000 : value;
  bytes[at] = raw & 0xff;
  bytes[at + 1] = raw >> 8;
}

export const mcu90640: ProtocolCodec<'mcu90640'> = {
  protocol: 'mcu90640',
  defaultBaudRate: 115200,
  frame,
  command: gyMcuCommandSpec,
  encode(values) {
    if (values.pixels_c.length !== PIXELS) {
      throw new EmberError(
        'EMBER_ERR_BAD_FRAME_VALUES',
        `pixels_c has ${values.pixels_c.length} values, a frame holds ${PIXELS}`,
      );
    }
    const bytes = new Uint8Array(FRAME_LENGTH);
    bytes.set([0x5a, 0x5a, 0x02, 0x06]);
    values.pixels_c.forEach((c, p) =>
      putI16le(bytes, 4 + 2 * p, toRaw(c, 0.01, -0x8000, 0x7fff, `pixels_c[${p}]`)),
    );
    putI16le(bytes, 1540, toRaw(values.ambient_c, 0.01, -0x8000, 0x7fff, 'ambient_c'));
    const sum = checksum(bytes, 0);
    bytes[CHECKSUM_AT] = sum & 0xff;
    bytes[CHECKSUM_AT + 1] = sum >> 8;
    return bytes;
  },
  outOfRange(values) {
    const flagged = ambientCheck(values);
    for (const c of values.pixels_c) {
      if (!(c >= THERMAL_RANGE_C.min && c <= THERMAL_RANGE_C.max)) {
        flagged.push('pixels_c');
        break;
      }
    }
    return flagged;
  },
};
