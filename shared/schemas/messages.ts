import { z } from 'zod';
import { ALARM_LEVELS, AlarmPolicy } from '../alarm/alarm-policy.js';
import { FLOORS } from '../detection/floor-monitor.js';

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
  /**
   * The floors that raised this high: the logic of a listed heat or CO
   * detector (or the camera judged like one) on the device's own channels.
   * Absent when the model raised it, and from agents that predate floors.
   */
  floors: z.array(z.enum(FLOORS)).optional(),
  /**
   * The incident recording this change belongs to: a replay CSV of the
   * readings around it in the device's object store, written as it goes.
   * Absent without a store, and from agents that predate recordings.
   */
  recording: z.object({ objectKey: z.string().min(1) }).optional(),
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

/** A batch of telemetry records (topic `telemetry`), always under the device payload limit (shared/mqtt/device-limits.ts). */
export const TelemetryMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  records: z.array(TelemetryRecord),
});
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;

/** The `kind` that marks a {@link TelemetryPack} on the telemetry topic. */
export const TELEMETRY_PACK_KIND = 'pack';

/**
 * Several stored telemetry messages of one device in one publish, in stored
 * order: what the edge's drainer sends while it works off a backlog. Each
 * inner message is exactly as it was stored, with its own id, so the cloud
 * can tell a record it already has whichever publish brought it (a pack's
 * own id changes when its messages are packed again after a failed publish).
 */
export const TelemetryPack = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal(TELEMETRY_PACK_KIND),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  messages: z.array(TelemetryMessage).min(1),
});
export type TelemetryPack = z.infer<typeof TelemetryPack>;

/** Health of one serial module as the agent sees it, with running decode counters since the agent started. */
export const SensorHealth = z.object({
  protocol: z.string().min(1),
  /** The serial source's state: opening, open, stale, reconnecting or closed. */
  state: z.string().min(1),
  /** Valid frames decoded. */
  frames: z.number().int().nonnegative(),
  /** Frames whose checksum failed. */
  checksumErrors: z.number().int().nonnegative(),
  /** Bytes thrown away while resynchronising. */
  droppedBytes: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  /**
   * Readings the module could not physically have given (a saturated or
   * pinned output): the features treat its channels as missing meanwhile.
   * Absent from agents that predate the check.
   */
  implausibleReadings: z.number().int().nonnegative().optional(),
  /** Whether the newest reading was implausible: the module looks faulty now. */
  implausible: z.boolean().optional(),
});
export type SensorHealth = z.infer<typeof SensorHealth>;

/**
 * Why a device is in trouble: a fire panel's trouble signal, not an alarm
 * level. A module that stopped talking, reads values it cannot physically
 * give or is stuck, or storage that can no longer keep messages: each needs
 * a person, and none of them hides an alarm the other channels support.
 */
export const TROUBLE_KINDS = [
  'sensor-silent',
  'sensor-stuck',
  'sensor-implausible',
  'storage-failing',
] as const;
export const TroubleKind = z.enum(TROUBLE_KINDS);
export type TroubleKind = z.infer<typeof TroubleKind>;

/** One trouble condition of a device: what, where (a sensor id or a component), since when. */
export const TroubleCondition = z.object({
  kind: TroubleKind,
  /** The sensor id, or the component (`outbox`) the trouble is in. */
  source: z.string().min(1),
  /** When the condition was raised, ms since the epoch (the agent's clock). */
  since: z.number().int().nonnegative(),
  /** A person's words for it: what was seen, and what to check. */
  detail: z.string(),
});
export type TroubleCondition = z.infer<typeof TroubleCondition>;

/**
 * A periodic health summary of the agent (topic `status`, not retained).
 * `kind: 'health'` tells it apart from the link's retained birth and last
 * will on the same topic, which carry `state: online|offline` instead.
 */
export const StatusMessage = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('health'),
  id: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  software: z.string(),
  uptimeS: z.number().nonnegative(),
  /** Active model version, or `rules`. */
  model: z.string(),
  /** The model updater's words for what runs and why (e.g. rules fallback after a failure). */
  modelStatus: z.string(),
  level: AlarmLevelSchema,
  probability: z.number().min(0).max(1),
  sensors: z.record(z.string(), SensorHealth),
  /** A small false-colour PNG of the newest thermal frame, for live views; absent without a camera. */
  thermalPngBase64: z.string().min(1).optional(),
  outbox: z.object({
    messages: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    oldestAgeS: z.number().nonnegative(),
  }),
  /** Every trouble condition standing now; empty when none. Absent from agents that predate it. */
  trouble: z.array(TroubleCondition).optional(),
  /**
   * The revision of the cloud's config message the device runs (0 before the
   * first): the cloud shows a config as pending until a status says this.
   * Absent from agents that predate it.
   */
  configRevision: z.number().int().nonnegative().optional(),
});
export type StatusMessage = z.infer<typeof StatusMessage>;

/**
 * Per-device settings sent by the cloud (topic `config`, retained): currently
 * alarm policy overrides. `revision` rises with every config sent to the
 * device; a device applies a revision higher than the one it runs, keeps it
 * across restarts and reports it in its health status.
 */
export const DeviceConfigMessage = z.object({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Replaces the alarm policy; `null` goes back to the configured or manifest policy. */
  alarm: AlarmPolicy.nullable().optional(),
});
export type DeviceConfigMessage = z.infer<typeof DeviceConfigMessage>;
