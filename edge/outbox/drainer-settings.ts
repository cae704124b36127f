import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';

/**
 * Drainer settings. Defaults keep under AWS IoT Core's 100 publishes/s per
 * connection: 95/s with a burst of 5 never exceeds 100 in any one second,
 * leaving nothing for other publishers on the connection to collide with.
 */
export const DrainerSettings = z.strictObject({
  /** Publishes awaiting PUBACK at once. MQTT.js and IoT Core handle 100 in flight; 20 keeps the redelivery window small. */
  maxInFlight: z.number().int().min(1).max(1000).default(20),
  publishesPerSecond: z.number().positive().max(1e9).default(95),
  burst: z.number().int().min(1).max(1e6).default(5),
  /** A publish without PUBACK after this long counts as failed and is retried. */
  publishTimeoutMs: z.number().int().positive().default(30_000),
  /** How often to look at the link while it is down, when the publisher cannot signal it coming back. */
  offlinePollMs: z.number().int().positive().default(1000),
  backoff: z
    .strictObject({
      initialMs: z.number().positive().default(1000),
      maxMs: z.number().positive().default(60_000),
      jitter: z.number().min(0).max(1).default(0.3),
    })
    .prefault({}),
});
export type DrainerSettingsInput = z.input<typeof DrainerSettings>;
export type ResolvedDrainerSettings = z.output<typeof DrainerSettings>;

/** Parses and fills defaults; throws EMBER_ERR_BAD_CONFIG naming the bad field. Pure. */
export function resolveDrainerSettings(input: DrainerSettingsInput): ResolvedDrainerSettings {
  const parsed = DrainerSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'drainer' : ['drainer', ...issue.path.map(String)].join('.');
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
