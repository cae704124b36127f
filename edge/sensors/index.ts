/** Serial sensor input of the edge agent: ports, module set-up and the reading source. */
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export {
  isThermalRateHz,
  moduleSetup,
  type ModeSettings,
  type ModuleSetup,
  type ThermalRateHz,
  type Ze07Mode,
} from './module-setup.js';
export {
  bindingSerialLines,
  mockBinding,
  mockSerialLines,
  openStreamLine,
  systemSerialLines,
  type SerialLine,
  type SerialLineEvents,
  type SerialLineFactory,
  type SerialLineRequest,
} from './serial-line.js';
export {
  SerialSource,
  type FrameErrorEvent,
  type SerialSourceEvents,
  type SerialSourceOptions,
  type SerialSourceState,
  type SerialSourceStats,
} from './serial-source.js';
export {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_THERMAL_RATE_HZ,
  resolveSourceSettings,
  type SourceSettings,
} from './serial-source-settings.js';
