import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { DeviceState } from '../contracts/cloud-values.js';

export interface FleetStateOptions {
  /** The SQLite file of last known device states (created with its folder). */
  readonly path?: string;
  /** Keep them in this PostgreSQL database instead, shared with other workers. */
  readonly postgresUrl?: string;
  /** Zone → device ids. A device in no zone is a zone of its own, named after it. */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
  /** A device not heard from for this long counts as offline; 120 s by default. */
  readonly offlineAfterS?: number;
  /** Telemetry points kept in memory per device; 360 by default. */
  readonly historyPoints?: number;
  /** How often changed devices are written to the file; 1000 ms by default (and always at stop()). */
  readonly flushIntervalMs?: number;
  readonly logger?: Logger;
  /** Cloud clock in ms. */
  readonly now?: () => number;
}

export interface FleetStateEvents {
  /** A device changed: any message applied, or it went offline by falling silent. */
  device: [device: DeviceState];
}

/** The numeric options, checked and with their defaults filled in. */
export interface FleetSettings {
  readonly offlineAfterMs: number;
  readonly historyPoints: number;
  readonly flushIntervalMs: number;
}

const DEFAULT_OFFLINE_AFTER_S = 120;
const DEFAULT_HISTORY_POINTS = 360;
const DEFAULT_FLUSH_INTERVAL_MS = 1000;

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new EmberError(
      'EMBER_ERR_BAD_CONFIG',
      `fleet ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    );
  }
  return value;
}

/** Throws EMBER_ERR_BAD_CONFIG naming the first option that is not a positive number. Pure. */
export function resolveFleetSettings(options: FleetStateOptions): FleetSettings {
  return {
    offlineAfterMs: 1000 * positive('offlineAfterS', options.offlineAfterS, DEFAULT_OFFLINE_AFTER_S, false),
    historyPoints: positive('historyPoints', options.historyPoints, DEFAULT_HISTORY_POINTS, true),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS, false),
  };
}
