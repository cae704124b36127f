/** Byte-exact emulators of the reference kit's modules, their lines, value sources and kits. */
export { createEmulator, type EmulatorByProtocol } from './create-emulator.js';
export {
  DeviceEmulator,
  type DeviceEmulatorEvents,
  type DeviceEmulatorOptions,
  type DeviceEmulatorStats,
} from './device-emulator.js';
export type { DeviceLine, DeviceLineEvents } from './device-line.js';
export { ScaledClock, type Cancel, type EmulatorClock, type ScaledClockOptions } from './emulator-clock.js';
export type { Fault } from './fault.js';
export { DEFAULT_KIT, KitDescription, KitDevice, loadKitFile, parseKit } from './kit.js';
export { Mcu680Emulator } from './mcu680-emulator.js';
export { Mcu90640Emulator, type Mcu90640Mode } from './mcu90640-emulator.js';
export { Mhz19bEmulator } from './mhz19b-emulator.js';
export { MockDeviceBus, MockDeviceLine } from './mock-device-bus.js';
export { Pms5003Emulator, type Pms5003EmulatorOptions } from './pms5003-emulator.js';
export { PtyDeviceLine, type PtyDeviceLineOptions } from './pty-device-line.js';
export { PtyPair, type PtyPairOptions } from './pty-pair.js';
export { findSocat, SOCAT_ENV } from './socat-path.js';
export { sourceFromSpec, SourceSpec } from './source-spec.js';
export { startKit, type KitDeviceInfo, type RunningKit, type StartKitOptions } from './start-kit.js';
export { renderThermalScene, type HotSpot, type ThermalScene } from './thermal-scene.js';
export {
  CLEAN_ROOM_VALUES,
  constantSource,
  defaultSource,
  hotSpotRampSource,
  rampSource,
  type HotSpotRampOptions,
  type ScalarProtocol,
  type ValueSource,
} from './value-source.js';
export { Ze07Emulator } from './ze07-emulator.js';
