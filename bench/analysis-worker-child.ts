import { once } from 'node:events';
import { AnalysisAgent } from '../cloud/analysis/analysis-agent.js';
import { FleetState } from '../cloud/fleet/fleet-state.js';
import { IncidentStore } from '../cloud/incidents/incident-store.js';
import type { AnomalyMessage } from '../shared/schemas/messages.js';

/**
 * One cloud worker's anomaly handling for analysis-workers.bench.ts: the
 * real analysis agent on the incident store (a SQLite file, or the
 * PostgreSQL database all workers share), taking every `workers`-th of
 * `count` anomalies from `devices` devices, as a shared subscription
 * would split them. Prints `ready`, waits for a line on stdin, then
 * handles its share and prints `{"handled":n}`.
 */
const [where = '', fleetFile = '', index = '0', workers = '1', devices = '200', count = '0'] =
  process.argv.slice(2);
const incidents = new IncidentStore(where.startsWith('postgres') ? { postgresUrl: where } : { path: where });
const fleet = new FleetState({ path: fleetFile });
incidents.start();
fleet.start();
const agent = new AnalysisAgent({ fleet, incidents });
agent.start();

const mine: AnomalyMessage[] = [];
for (let i = Number(index); i < Number(count); i += Number(workers)) {
  const deviceId = `gw-bench-${String(i % Number(devices))}`;
  mine.push({
    schemaVersion: 1,
    id: `bench-${String(i)}`,
    deviceId,
    ts: Date.now(),
    level: i % 3 === 0 ? 'high' : 'medium',
    previousLevel: 'low',
    probability: 0.8,
    modelVersion: 'rules',
    features: { 'temp.mean': 41.5, 'pm25.slope': 3.2 },
    thermalSnapshot: null,
  });
}
process.stdout.write('ready\n');
await once(process.stdin, 'data');
let handled = 0;
for (const message of mine) {
  if (agent.handleAnomaly(message, Date.now()) !== undefined) handled++;
}
agent.stop();
fleet.stop();
incidents.stop();
process.stdout.write(`${JSON.stringify({ handled })}\n`);
process.stdin.destroy();
