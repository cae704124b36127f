import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';

const MiB = 1024 * 1024;

/** Default quota: a 24-hour outage of a five-sensor gateway needs far less (see bench/outage.bench.ts). */
export const DEFAULT_QUOTA_BYTES = 200 * MiB;

/**
 * Default disk space kept for alarms and anomalies on a full disk: room for
 * some hundreds of typical anomalies (a few KB each, their write-ahead log
 * frames included), or some dozens at the 128 KB payload limit.
 */
export const DEFAULT_RESERVE_BYTES = 4 * MiB;

/**
 * Outbox settings from the agent configuration. `hardCeilingBytes` defaults
 * to the quota plus a quarter: room kept for alarms and anomalies alone.
 */
export const OutboxSettings = z
  .strictObject({
    /** SQLite database file; created with its folder's permissions if missing. */
    path: z.string().min(1),
    quotaBytes: z.number().int().positive().default(DEFAULT_QUOTA_BYTES),
    hardCeilingBytes: z.number().int().positive().optional(),
    /**
     * Group-commit window, ms. 0 commits at the end of the current event-loop
     * turn (every enqueue of one tick in one transaction); a few ms gathers
     * more per fsync at the price of that much latency.
     */
    commitWindowMs: z.number().min(0).max(1000).default(0),
    /**
     * Disk space kept in `<path>-reserve` for alarms and anomalies when the
     * disk fills up (see SqliteOutbox); 0 keeps none.
     */
    reserveBytes: z.number().int().min(0).default(DEFAULT_RESERVE_BYTES),
  })
  .refine((s) => s.hardCeilingBytes === undefined || s.hardCeilingBytes >= s.quotaBytes, {
    message: 'hardCeilingBytes must be at least quotaBytes',
    path: ['hardCeilingBytes'],
  });
export type OutboxSettingsInput = z.input<typeof OutboxSettings>;

export interface ResolvedOutboxSettings {
  readonly path: string;
  readonly quotaBytes: number;
  readonly hardCeilingBytes: number;
  readonly commitWindowMs: number;
  readonly reserveBytes: number;
}

/** Parses and fills defaults; throws EMBER_ERR_BAD_CONFIG naming the bad field. Pure. */
export function resolveOutboxSettings(input: OutboxSettingsInput): ResolvedOutboxSettings {
  const parsed = OutboxSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'outbox' : ['outbox', ...issue.path.map(String)].join('.');
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const s = parsed.data;
  return {
    path: s.path,
    quotaBytes: s.quotaBytes,
    hardCeilingBytes: s.hardCeilingBytes ?? Math.floor(s.quotaBytes * 1.25),
    commitWindowMs: s.commitWindowMs,
    reserveBytes: s.reserveBytes,
  };
}
