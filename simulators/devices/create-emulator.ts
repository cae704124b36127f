import type { ProtocolName } from '../../shared/schemas/readings.js';
import type { DeviceEmulatorOptions } from './device-emulator.js';
import { Mcu680Emulator } from './mcu680-emulator.js';
import { Mcu90640Emulator } from './mcu90640-emulator.js';
import { Mhz19bEmulator } from './mhz19b-emulator.js';
import { Pms5003Emulator } from './pms5003-emulator.js';
import { Ze07Emulator } from './ze07-emulator.js';

/** The emulator class of each module. */
export interface EmulatorByProtocol {
  pms5003: Pms5003Emulator;
  ze07: Ze07Emulator;
  mhz19b: Mhz19bEmulator;
  mcu90640: Mcu90640Emulator;
  mcu680: Mcu680Emulator;
}

const EMULATORS: {
  readonly [P in ProtocolName]: (options: DeviceEmulatorOptions<P>) => EmulatorByProtocol[P];
} = {
  pms5003: (options) => new Pms5003Emulator(options),
  ze07: (options) => new Ze07Emulator(options),
  mhz19b: (options) => new Mhz19bEmulator(options),
  mcu90640: (options) => new Mcu90640Emulator(options),
  mcu680: (options) => new Mcu680Emulator(options),
};

/** The emulator of `protocol`'s module. */
export function createEmulator<P extends ProtocolName>(
  protocol: P,
  options: DeviceEmulatorOptions<P>,
): EmulatorByProtocol[P] {
  const make: (options: DeviceEmulatorOptions<P>) => EmulatorByProtocol[P] = EMULATORS[protocol];
  return make(options);
}
