import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresForFile, type TestDatabase, queryRows } from '../../test/helpers/postgres.js';
import type { RiskAssessment } from '../contracts/cloud-values.js';
import { describeIncidentStoreContract } from './incident-store.contract.js';
import { IncidentStore } from './incident-store.js';

const createDatabase = postgresForFile();

describeIncidentStoreContract('PostgreSQL', async () => {
  const database = await createDatabase();
  return { where: { postgresUrl: database.url }, dispose: () => database.drop() };
});

const sql = <R = unknown>(url: string, text: string): Promise<R[]> => queryRows<R>(url, text);

function high(deviceId: string, n: number): RiskAssessment {
  return {
    id: `a-${String(n)}`,
    messageId: `m-${String(n)}`,
    deviceId,
    zone: 'hall',
    ts: 1_700_000_000_000 + n,
    level: 'high',
    score: 0.9,
    reasons: ['flames'],
    evidence: {},
    incidentId: null,
  };
}

describe('IncidentStore on PostgreSQL shared by several workers', () => {
  let database: TestDatabase;
  const stores: IncidentStore[] = [];

  beforeAll(async () => {
    database = await createDatabase();
  });

  afterAll(async () => {
    for (const store of stores) store.stop();
    await database.drop();
  });

  function worker(): IncidentStore {
    const store = new IncidentStore({ postgresUrl: database.url, now: () => 1_700_000_000_000 });
    store.start();
    stores.push(store);
    return store;
  }

  it('applies its migrations once however many workers start, and refuses a database newer than it knows', async () => {
    const [a, b] = [worker(), worker()];
    expect(a.list()).toEqual([]);
    expect(b.list()).toEqual([]);
    const versions = await sql<{ component: string; version: number }>(
      database.url,
      'SELECT component, version FROM ember_schema ORDER BY version',
    );
    expect(versions).toEqual([
      { component: 'incidents', version: 1 },
      { component: 'incidents', version: 2 },
    ]);
    await sql(
      database.url,
      "INSERT INTO ember_schema (component, version, applied_at) VALUES ('incidents', 99, 0)",
    );
    try {
      const newer = new IncidentStore({ postgresUrl: database.url });
      expect(() => newer.start()).toThrow(expect.objectContaining({ code: 'EMBER_ERR_CATALOG_TOO_NEW' }));
      expect(a.list()).toEqual([]);
    } finally {
      await sql(database.url, 'DELETE FROM ember_schema WHERE version = 99');
    }
  });

  it('lets the database, not a worker, decide which worker saw a message id first', () => {
    const [a, b] = [worker(), worker()];
    expect(a.seen('shared-1', 1)).toBe(true);
    expect(b.seen('shared-1', 1)).toBe(false);
  });

  it('keeps one unresolved incident per device whichever worker assesses it', () => {
    const [a, b] = [worker(), worker()];
    const first = a.transaction(() => {
      a.lockDevice('gw-shared');
      return a.openOrJoin(high('gw-shared', 1));
    });
    const second = b.transaction(() => {
      b.lockDevice('gw-shared');
      return b.openOrJoin(high('gw-shared', 2));
    });
    expect(first?.change).toBe('opened');
    expect(second?.change).toBe('updated');
    expect(second?.incident.id).toBe(first?.incident.id);
    expect(a.list({ deviceId: 'gw-shared' })).toHaveLength(1);
  });

  it('refuses, in the database itself, a second unresolved incident for a device', async () => {
    const a = worker();
    a.openOrJoin(high('gw-unique', 3));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const refused = await client
        .query(
          `INSERT INTO incidents (id, device_id, zone, level, state, opened_at, updated_at, reasons, assessments, message_ids)
           VALUES ('dup', 'gw-unique', 'hall', 'high', 'open', 1, 1, '[]', 1, '[]')`,
        )
        .then(
          () => 'inserted',
          (error: unknown) => (error as { code?: string }).code,
        );
      expect(refused).toBe('23505');
    } finally {
      await client.end();
    }
  });

  it('serves a worker the look-back of anomalies another worker assessed', () => {
    const [a, b] = [worker(), worker()];
    a.record(high('gw-look', 10), { features: {}, deviceLevel: 'high', probability: 0.9, messageTs: 5 });
    expect(b.recentAnomalies('gw-look', 0).map((x) => x.messageTs)).toEqual([5]);
    expect(b.zoneActivity('hall', 0, 'gw-else').map((x) => x.deviceId)).toContain('gw-look');
  });
});
