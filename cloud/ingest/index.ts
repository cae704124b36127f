export { CloudIngest } from './cloud-ingest.js';
export {
  INGEST_PROTOCOLS,
  ingestFilters,
  type IngestBrokerSettings,
  type IngestProtocol,
  type SpokenProtocol,
} from './ingest-connection.js';
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  INGEST_KINDS,
  INVALID_REASONS,
  readDeviceMessage,
  type DeviceMessage,
  type DeviceMessageResult,
  type IngestKind,
  type InvalidReason,
  type MessageRefusal,
} from './ingest-message.js';
export type {
  IngestEvent,
  IngestHandlers,
  IngestOptions,
  IngestStats,
  PublishOptions,
} from './ingest-types.js';
export { DEFAULT_REMEMBERED_TELEMETRY, TelemetryDedupe } from './telemetry-dedupe.js';
export { DEFAULT_RECONNECT, reconnectDelayMs, type ReconnectBackoff } from './reconnect-backoff.js';
