export { FleetState, type FleetStateEvents, type FleetStateOptions } from './fleet-state.js';
export {
  decodeErrorRate,
  decodeCounters,
  type DecodeCounters,
  type DecodeErrorRate,
} from './decode-error-rate.js';
export { TelemetryHistory } from './telemetry-history.js';
