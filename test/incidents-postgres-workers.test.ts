import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyMessage } from '../shared/schemas/messages.js';
import { anomalyMessage } from './helpers/cloud-bed.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { startTestPostgres, type TestDatabase, type TestPostgres } from './helpers/postgres.js';

const WORKERS = 3;
const DEVICES = 10;
const PER_DEVICE = 20;
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * One worker process: the real analysis agent on the shared incident
 * store, handling every message of `messages.json` in its own order (as
 * if each message were delivered to every worker), and printing how many
 * it assessed, how many it found handled already and how many threw.
 */
const WORKER = `
import { readFileSync } from 'node:fs';
const [dist, url, messagesFile, fleetFile, seed] = process.argv.slice(1);
const { IncidentStore } = await import(new URL('cloud/incidents/incident-store.js', dist).href);
const { FleetState } = await import(new URL('cloud/fleet/fleet-state.js', dist).href);
const { AnalysisAgent } = await import(new URL('cloud/analysis/analysis-agent.js', dist).href);
const messages = JSON.parse(readFileSync(messagesFile, 'utf8'));
let state = Number(seed);
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = messages.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [messages[i], messages[j]] = [messages[j], messages[i]];
}
const incidents = new IncidentStore({ postgresUrl: url });
const fleet = new FleetState({ path: fleetFile });
incidents.start();
fleet.start();
const agent = new AnalysisAgent({ fleet, incidents });
agent.start();
const counts = { assessed: 0, duplicates: 0, errors: [] };
for (const message of messages) {
  try {
    if (agent.handleAnomaly(message, Date.now()) === undefined) counts.duplicates++;
    else counts.assessed++;
  } catch (error) {
    counts.errors.push(String(error.message ?? error));
  }
}
agent.stop();
fleet.stop();
incidents.stop();
process.stdout.write(JSON.stringify(counts));
`;

interface Counts {
  assessed: number;
  duplicates: number;
  errors: string[];
}

function runWorker(args: string[]): Promise<Counts> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WORKER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited ${String(code)}: ${err}`));
      else resolve(JSON.parse(out) as Counts);
    });
  });
}

/**
 * Several processes, each its own connection, assess the same anomalies at
 * the same moment: the database, not any process's memory, decides which
 * one handles each message, and keeps one incident per device.
 */
describe('the incident store shared by worker processes on PostgreSQL', () => {
  let server: TestPostgres;
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    assertFreshBuild(['cloud', 'shared']);
    server = await startTestPostgres();
    database = await server.createDatabase();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-pg-workers-'));
  }, 90_000);

  afterAll(async () => {
    await database.drop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('assesses each anomaly once and opens one incident per device, whichever process gets there first', async () => {
    const messages: AnomalyMessage[] = [];
    for (let d = 0; d < DEVICES; d++) {
      for (let n = 0; n < PER_DEVICE; n++) messages.push(anomalyMessage(`gw-p-${String(d)}`, 'high', 0.9));
    }
    const messagesFile = join(dir, 'messages.json');
    await writeFile(messagesFile, JSON.stringify(messages));
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        runWorker([
          pathToFileURL(DIST).href.replace(/\/?$/, '/'),
          database.url,
          messagesFile,
          join(dir, `fleet-${String(w)}.sqlite`),
          String(w + 1),
        ]),
      ),
    );
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.assessed, 0)).toBe(messages.length);
    expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(messages.length * (WORKERS - 1));
    expect(results.filter((r) => r.assessed > 0).length, JSON.stringify(results)).toBeGreaterThan(1);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const assessed = await client.query<{ n: number; distinct_messages: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct_messages FROM assessments',
      );
      expect(assessed.rows).toEqual([{ n: messages.length, distinct_messages: messages.length }]);
      const incidents = await client.query<{ device_id: string; assessments: number }>(
        'SELECT device_id, assessments FROM incidents ORDER BY device_id',
      );
      expect(incidents.rows).toHaveLength(DEVICES);
      expect(incidents.rows.every((row) => row.assessments === PER_DEVICE)).toBe(true);
    } finally {
      await client.end();
    }
  }, 120_000);
});
