import { z } from 'zod';
import { ALARM_LEVELS } from '../../shared/alarm/alarm-policy.js';
import type { Migration } from '../../shared/catalog/index.js';
import { TroubleCondition } from '../../shared/schemas/messages.js';

/**
 * One row per device holding its last known state as JSON: the fleet reads
 * every row once at start and writes one row per message, so a column per
 * field would buy nothing. Telemetry history stays in memory.
 */
export const FLEET_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);`,
  },
];

const Level = z.enum(ALARM_LEVELS);
const Counters = z.object({
  uptimeS: z.number(),
  sensors: z.record(z.string(), z.object({ frames: z.number(), checksumErrors: z.number() })),
});

/** Everything the fleet keeps of one device between messages and across restarts. */
export const DeviceRecord = z.object({
  deviceId: z.string(),
  /** Cloud clock, ms: when anything from the device last arrived. */
  lastSeen: z.number(),
  /** The state of the newest retained link status; null until one arrives. */
  link: z.enum(['online', 'offline']).nullable(),
  linkReason: z.string().nullable(),
  level: Level,
  probability: z.number(),
  /** Device clock of the message that set level and probability, so an older one arriving late does not. */
  levelTs: z.number(),
  model: z.string(),
  modelStatus: z.string(),
  software: z.string(),
  outboxMessages: z.number(),
  outboxOldestAgeS: z.number(),
  sensors: z.record(z.string(), z.string()),
  healthTs: z.number(),
  decodeErrorRate: z.number(),
  counters: Counters.nullable(),
  levels: z.record(z.string(), z.number().nullable()),
  levelsTs: z.number(),
  thermalPngBase64: z.string().nullable(),
  thermalTs: z.number(),
  risk: Level,
  /** The device's trouble conditions as of its newest health status (records from before: none). */
  trouble: z.array(TroubleCondition).default([]),
});
export type DeviceRecord = z.infer<typeof DeviceRecord>;

export function emptyRecord(deviceId: string): DeviceRecord {
  return {
    deviceId,
    lastSeen: 0,
    link: null,
    linkReason: null,
    level: 'none',
    probability: 0,
    levelTs: -1,
    model: '',
    modelStatus: '',
    software: '',
    outboxMessages: 0,
    outboxOldestAgeS: 0,
    sensors: {},
    healthTs: -1,
    decodeErrorRate: 0,
    counters: null,
    levels: {},
    levelsTs: -1,
    thermalPngBase64: null,
    thermalTs: -1,
    risk: 'none',
    trouble: [],
  };
}
