import { EmberError } from '../../shared/errors.js';
import type { ProtocolName } from '../../shared/schemas/readings.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../shared/backoff.js';
import { isThermalRateHz, type ModeSettings } from './module-setup.js';

export const DEFAULT_POLL_INTERVAL_MS = 2000;
export const DEFAULT_THERMAL_RATE_HZ = 4;
const MIN_STALE_AFTER_MS = 10_000;

export interface SourceSettings extends ModeSettings {
  readonly baudRate: number;
  readonly staleAfterMs: number;
  readonly backoff: BackoffPolicy;
}

interface SettingsInput {
  readonly protocol: ProtocolName;
  readonly baudRate?: number;
  readonly pollIntervalMs?: number;
  readonly thermalRateHz?: number;
  readonly ze07Mode?: 'active' | 'query';
  readonly staleAfterMs?: number;
  readonly backoff?: Partial<BackoffPolicy>;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** Fills defaults and rejects impossible values (EMBER_ERR_BAD_OPTION); pure, so constructors stay free of I/O. */
export function resolveSourceSettings(input: SettingsInput, defaultBaudRate: number): SourceSettings {
  const thermalRateHz = input.thermalRateHz ?? DEFAULT_THERMAL_RATE_HZ;
  if (!isThermalRateHz(thermalRateHz)) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `thermalRateHz must be one of 0.5, 1, 2, 4, 8, 16, got ${thermalRateHz}`,
    );
  }
  const pollIntervalMs = positive('pollIntervalMs', input.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS);
  const ze07Mode = input.ze07Mode ?? 'active';
  const polled = input.protocol === 'mhz19b' || (input.protocol === 'ze07' && ze07Mode === 'query');
  const frameIntervalMs = polled
    ? pollIntervalMs
    : input.protocol === 'mcu90640'
      ? 1000 / thermalRateHz
      : 1000;
  const backoff: BackoffPolicy = {
    initialMs: positive('backoff.initialMs', input.backoff?.initialMs, DEFAULT_BACKOFF.initialMs),
    maxMs: positive('backoff.maxMs', input.backoff?.maxMs, DEFAULT_BACKOFF.maxMs),
    jitter: input.backoff?.jitter ?? DEFAULT_BACKOFF.jitter,
  };
  if (backoff.jitter !== 'full' && !(backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `backoff.jitter must lie in [0, 1], got ${backoff.jitter}`);
  }
  return {
    baudRate: positive('baudRate', input.baudRate, defaultBaudRate),
    pollIntervalMs,
    thermalRateHz,
    ze07Mode,
    staleAfterMs: positive(
      'staleAfterMs',
      input.staleAfterMs,
      Math.max(MIN_STALE_AFTER_MS, 3 * frameIntervalMs),
    ),
    backoff,
  };
}
