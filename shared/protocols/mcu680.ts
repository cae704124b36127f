import type { EnvironmentChannels } from '../schemas/readings.js';
import { i16be, sum8, u16be } from './bytes.js';
import type { ProtocolCodec } from './codec.js';
import { rangeCheck, toRaw } from './codec.js';
import type { FrameSpec } from './frame-scanner.js';
import { gyMcuCommand, gyMcuCommandSpec } from './gy-mcu.js';

/**
 * GY-MCU680: a Bosch BME680 behind a UART bridge. 20-byte big-endian frames
 * (unlike the MCU90640). Pressure is Pa × 100, so hPa = raw / 10000.
 */
const FRAME_LENGTH = 20;

export const MCU680_COMMANDS = {
  selectOutputs: gyMcuCommand(0x55, 0x3f),
  continuous: gyMcuCommand(0x56, 0x02),
} as const;

const frame: FrameSpec<EnvironmentChannels> = {
  frameLength: FRAME_LENGTH,
  headers: [new Uint8Array([0x5a, 0x5a, 0x3f, 0x0f])],
  checksumOk: (b, at) => sum8(b, at, at + 19) === b[at + 19],
  parse(b, at) {
    const iaqHigh = b[at + 11] ?? 0;
    return {
      temp_c: i16be(b, at + 4) / 100,
      humidity_pct: u16be(b, at + 6) / 100,
      pressure_hpa: (((b[at + 8] ?? 0) << 16) | u16be(b, at + 9)) / 10000,
      iaq_accuracy: iaqHigh >> 4,
      iaq: ((iaqHigh & 0x0f) << 8) | (b[at + 12] ?? 0),
      gas_ohm: u16be(b, at + 13) * 0x10000 + u16be(b, at + 15),
      altitude_m: i16be(b, at + 17),
    };
  },
};

function putU(bytes: Uint8Array, at: number, size: number, value: number): void {
  for (let i = size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) bytes[at + i] = v & 0xff;
}

export const mcu680: ProtocolCodec<'mcu680'> = {
  protocol: 'mcu680',
  defaultBaudRate: 9600,
  frame,
  command: gyMcuCommandSpec,
  encode(values) {
    const bytes = new Uint8Array(FRAME_LENGTH);
    bytes.set([0x5a, 0x5a, 0x3f, 0x0f]);
    const temp = toRaw(values.temp_c, 0.01, -0x8000, 0x7fff, 'temp_c');
    putU(bytes, 4, 2, temp < 0 ? temp + 0x10000 : temp);
    putU(bytes, 6, 2, toRaw(values.humidity_pct, 0.01, 0, 0xffff, 'humidity_pct'));
    putU(bytes, 8, 3, toRaw(values.pressure_hpa, 0.0001, 0, 0xffffff, 'pressure_hpa'));
    const accuracy = toRaw(values.iaq_accuracy, 1, 0, 15, 'iaq_accuracy');
    const iaq = toRaw(values.iaq, 1, 0, 0xfff, 'iaq');
    bytes[11] = (accuracy << 4) | (iaq >> 8);
    bytes[12] = iaq & 0xff;
    putU(bytes, 13, 4, toRaw(values.gas_ohm, 1, 0, 0xffffffff, 'gas_ohm'));
    const altitude = toRaw(values.altitude_m, 1, -0x8000, 0x7fff, 'altitude_m');
    putU(bytes, 17, 2, altitude < 0 ? altitude + 0x10000 : altitude);
    bytes[19] = sum8(bytes, 0, 19);
    return bytes;
  },
  outOfRange: rangeCheck({
    temp_c: { min: -40, max: 85 },
    humidity_pct: { min: 0, max: 100 },
    pressure_hpa: { min: 300, max: 1100 },
    iaq: { min: 0, max: 500 },
    iaq_accuracy: { min: 0, max: 3 },
  }),
};
