import type { CloudConfig } from '../../cloud/config/cloud-config.js';
import { IncidentStore } from '../../cloud/incidents/incident-store.js';
import type { Incident } from '../../cloud/contracts/cloud-values.js';
import { dataPath } from '../../cloud/service/component-settings.js';
import type { Logger } from '../../shared/logging.js';

/** Who closes them, in the incidents' actions and the audit log. */
export const DEMO_ACTOR = 'system:demo';

/** Why, in the incidents' actions and the audit log. */
export const STALE_INCIDENT_NOTE =
  'closed when the demo started again: the run that raised it has ended and every gateway starts from a quiet room';

/**
 * Resolves, with outcome `unknown` (which the learning agent learns nothing
 * from), every incident a previous demo run left open or acknowledged.
 *
 * Each demo run replays its gateways' schedules from the start: the fire
 * that raised an old incident is gone, and a new fire must open (and page)
 * an incident of its own rather than join one nobody is looking at any more.
 * Runs on the cloud's incident file before the cloud starts, so no new
 * anomaly can join an old incident first. Returns what it closed.
 */
export function resolveStaleIncidents(config: CloudConfig, logger: Logger): Incident[] {
  const store = new IncidentStore({ path: dataPath(config, 'incidents.sqlite'), logger });
  store.start();
  try {
    const stale = [
      ...store.list({ state: 'open', limit: 1000 }),
      ...store.list({ state: 'acknowledged', limit: 1000 }),
    ];
    return stale.map((incident) => store.resolve(incident.id, 'unknown', DEMO_ACTOR, STALE_INCIDENT_NOTE));
  } finally {
    store.stop();
  }
}
