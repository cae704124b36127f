import { levelRank } from '../../shared/alarm/alarm-policy.js';
import type { IncidentStore } from '../incidents/incident-store.js';

/**
 * Anomalies at medium or above per device per hour received in `[sinceTs, untilTs)`,
 * the figure a rollout compares before and after its canaries install. The
 * incident store keeps each device's recent anomalies in memory.
 */
export function anomalyRate(
  incidents: Pick<IncidentStore, 'deviceAnomalies'>,
  deviceIds: readonly string[],
  sinceTs: number,
  untilTs: number,
): number {
  if (deviceIds.length === 0 || untilTs <= sinceTs) return 0;
  let count = 0;
  for (const id of deviceIds) {
    // By the cloud's clock (`ts`), which the rollout's windows use; device clocks may drift.
    for (const anomaly of incidents.deviceAnomalies(id, 0)) {
      const inWindow = anomaly.ts >= sinceTs && anomaly.ts < untilTs;
      if (inWindow && levelRank(anomaly.deviceLevel) >= levelRank('medium')) count++;
    }
  }
  const hours = (untilTs - sinceTs) / 3_600_000;
  return count / deviceIds.length / hours;
}
