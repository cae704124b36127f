/** The durable outbox of the edge agent: store-and-forward from the pipeline to the broker. */
export {
  PACK_MAX_MESSAGES,
  singlePublishes,
  TelemetryPacker,
  type BacklogPacker,
  type PublishGroup,
  type TelemetryPackerOptions,
} from './backlog-packer.js';
export { Drainer, type DrainerOptions, type DrainerStats } from './drainer.js';
export { DrainerSettings, resolveDrainerSettings, type DrainerSettingsInput } from './drainer-settings.js';
export { MemoryOutbox, type MemoryOutboxOptions } from './memory-outbox.js';
export {
  checkNewMessage,
  EVICTABLE,
  MAX_PAYLOAD_BYTES,
  PRIORITIES,
  storedBytes,
  type NewMessage,
  type OutboxMessage,
  type Priority,
} from './message.js';
export { createMessageIdGenerator, timeOfMessageId } from './message-id.js';
export type { Outbox, OutboxStats, PriorityStats } from './outbox.js';
export {
  DEFAULT_QUOTA_BYTES,
  OutboxSettings,
  resolveOutboxSettings,
  type OutboxSettingsInput,
} from './outbox-settings.js';
export type { Publisher, PublishOptions } from './publisher.js';
export { evictableBy, planAdmission, type AdmissionPlan, type QuotaLimits } from './quota-policy.js';
export { SqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
export { packTelemetry } from './telemetry-batch.js';
export { TokenBucket } from './token-bucket.js';
