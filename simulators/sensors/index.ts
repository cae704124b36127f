/** Public surface of the sensor models. */
export { simulateRun, SimulateRunOptions } from './simulate-run.js';
export { traceValueSource, thermalFrame } from './run-trace.js';
export type { RunTrace, ValueSource } from './run-trace.js';
export type { Sample, ScalarSeries, ScalarProtocol, SensorInput } from './sample-series.js';
export {
  simulatePms5003,
  PMS5003_PERIOD_S,
  PMS5003_MAX_MASS_UGM3,
  PMS5003_MAX_COUNT,
} from './pms5003-model.js';
export { simulateZe07, ZE07_PERIOD_S, ZE07_RANGE_PPM } from './ze07-model.js';
export {
  simulateMhz19b,
  MHZ19B_DEFAULT_PERIOD_S,
  MHZ19B_RANGE_PPM,
  MHZ19B_TEMP_RANGE_C,
} from './mhz19b-model.js';
export { simulateMcu680, MCU680_PERIOD_S, MCU680_RANGES } from './mcu680-model.js';
export {
  simulateMcu90640,
  MCU90640_FRAME_RATES_HZ,
  MCU90640_DEFAULT_HZ,
  MCU90640_RANGE_C,
} from './mcu90640-model.js';
export type { ThermalSeries, Mcu90640FrameRate } from './mcu90640-model.js';
