import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Incident } from '../contracts/cloud-values.js';
import type { IncidentWindow } from './learning-types.js';

export const OPENED = 1_700_000_000_000;

export function incidentOf(deviceId: string, level: AlarmLevel, id = `inc-${deviceId}`): Incident {
  return {
    id,
    deviceId,
    zone: 'kitchen',
    level,
    state: 'resolved',
    openedAt: OPENED,
    updatedAt: OPENED + 600_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: OPENED + 600_000,
    outcome: null,
    reasons: [],
    assessments: 2,
    messageIds: [],
  };
}

/** Assessments at `seconds` after opening with the given levels; features loud in CO and PM2.5. */
export function windowOf(
  points: readonly [number, AlarmLevel][],
  features = { co_dev: 3, pm25_dev: -4, temp_dev: 0.5, rh_dev: 0.1 },
): IncidentWindow {
  return {
    assessments: points.map(([s, level], i) => ({
      ts: OPENED + s * 1000,
      probability: 0.4 + i * 0.1,
      level,
      features,
    })),
  };
}
