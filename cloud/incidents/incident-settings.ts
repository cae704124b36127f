import { EmberError } from '../../shared/errors.js';
import type { IncidentStoreOptions } from './incident-types.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The most anomalies per device the in-memory look-back keeps. */
export const RECENT_PER_DEVICE = 32;

/** The store's periods, with their defaults filled in. */
export interface IncidentSettings {
  readonly retentionMs: number;
  readonly pruneIntervalMs: number;
  readonly lookBackMs: number;
}

/** Throws EMBER_ERR_BAD_CONFIG when retentionMs or pruneIntervalMs is not positive. Pure. */
export function resolveIncidentSettings(options: IncidentStoreOptions): IncidentSettings {
  const retentionMs = options.retentionMs ?? 7 * DAY_MS;
  const pruneIntervalMs = options.pruneIntervalMs ?? HOUR_MS;
  if (!(retentionMs > 0) || !(pruneIntervalMs > 0)) {
    throw new EmberError(
      'EMBER_ERR_BAD_CONFIG',
      'incident store retentionMs and pruneIntervalMs must be positive',
    );
  }
  return { retentionMs, pruneIntervalMs, lookBackMs: options.lookBackMs ?? HOUR_MS };
}
