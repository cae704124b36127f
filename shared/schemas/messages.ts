import { z } from 'zod';
import { ALARM_LEVELS, AlarmPolicy } from '../alarm/alarm-policy.js';

/** Alarm level as carried in messages. */
export const AlarmLevelSchema = z.enum(ALARM_LEVELS);

/** A false-colour picture of the latest thermal frame: inline when small, else a key in the object store. */
export const ThermalSnapshot = z.union([
  z.object({ pngBase64: z.string().min(1) }),
  z.object({ objectKey: z.string().min(1) }),
  z.null(),
]);
export type ThermalSnapshot = z.infer<typeof ThermalSnapshot>;

/**
 * An alarm level change of one device (topic `anomaly`). `id` is a UUIDv7
 * made by the edge when the message is built; a redelivery carries the same
 * id, so consumers drop duplicates by it.
 */
export const AnomalyMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  level: AlarmLevelSchema,
  previousLevel: AlarmLevelSchema,
  probability: z.number().min(0).max(1),
  modelVersion: z.string().min(1),
  /** Feature name → value; null where the feature was missing (NaN). */
  features: z.record(z.string(), z.number().nullable()),
  thermalSnapshot: ThermalSnapshot,
});
export type AnomalyMessage = z.infer<typeof AnomalyMessage>;

/** One summary of a telemetry interval. */
export const TelemetryRecord = z.object({
  ts: z.number().int().nonnegative(),
  /** Highest probability of the interval. */
  probability: z.number().min(0).max(1),
  level: AlarmLevelSchema,
  /** Channel name → its last level in the interval (null when missing). */
  levels: z.record(z.string(), z.number().nullable()),
  steps: z.number().int().nonnegative(),
});
export type TelemetryRecord = z.infer<typeof TelemetryRecord>;

/** A batch of telemetry records (topic `telemetry`), always under IoT Core's 128 KB payload limit. */
export const TelemetryMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  records: z.array(TelemetryRecord),
});
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;

/** A health summary of the agent (topic `status`, besides the link's own retained birth and will). */
export const StatusMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  model: z.string(),
  level: AlarmLevelSchema,
  sensors: z.record(z.string(), z.string()),
  outboxDepth: z.number().int().nonnegative(),
});
export type StatusMessage = z.infer<typeof StatusMessage>;

/** Per-device settings sent by the cloud (topic `config`): currently alarm policy overrides. */
export const DeviceConfigMessage = z.object({
  schemaVersion: z.literal(1),
  /** Replaces the alarm policy; `null` goes back to the configured or manifest policy. */
  alarm: AlarmPolicy.nullable().optional(),
});
export type DeviceConfigMessage = z.infer<typeof DeviceConfigMessage>;
