import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { isEmberError, type ErrorCode } from '../../shared/errors.js';
import type { RiskAssessment } from '../contracts/cloud-values.js';
import { IncidentStore } from './incident-store.js';
import type { IncidentEvent } from '../contracts/cloud-values.js';
import type { IncidentStoreOptions } from './incident-types.js';

/** Where one test's store keeps its tables: a fresh SQLite file or PostgreSQL database, reused across reopens. */
export interface IncidentBackend {
  /** The `path` or `postgresUrl` option for every store the test opens. */
  readonly where: Pick<IncidentStoreOptions, 'path' | 'postgresUrl'>;
  dispose(): Promise<void>;
}

const DAY = 86_400_000;

function expectCode(action: () => unknown, code: ErrorCode): void {
  let error: unknown;
  try {
    action();
  } catch (caught) {
    error = caught;
  }
  expect(isEmberError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

let sequence = 0;
function assessment(
  deviceId: string,
  level: AlarmLevel,
  ts: number,
  reasons = [`${level} seen`],
): RiskAssessment {
  sequence++;
  return {
    id: `a-${String(sequence)}`,
    messageId: `m-${String(sequence)}`,
    deviceId,
    zone: 'kitchen',
    ts,
    level,
    score: 0.5,
    reasons,
    evidence: { n: sequence },
    incidentId: null,
  };
}

/**
 * The behaviour every home of the incident store must have: one suite, run
 * on a SQLite file and on PostgreSQL.
 */
export function describeIncidentStoreContract(
  name: string,
  makeBackend: () => Promise<IncidentBackend>,
): void {
  describe(`IncidentStore on ${name}`, () => {
    let backend: IncidentBackend;
    let clock: number;
    const stores: IncidentStore[] = [];

    function make(options: { retentionMs?: number } = {}): IncidentStore {
      return new IncidentStore({ ...backend.where, now: () => clock, ...options } as IncidentStoreOptions);
    }

    function open(options: { retentionMs?: number } = {}): IncidentStore {
      const store = make(options);
      store.start();
      stores.push(store);
      return store;
    }

    beforeEach(async () => {
      backend = await makeBackend();
      clock = 1_700_000_000_000;
    });

    afterEach(async () => {
      for (const store of stores.splice(0)) store.stop();
      await backend.dispose();
    });

    it('refuses to work before start', () => {
      const store = make();
      expectCode(() => store.seen('m', 1), 'EMBER_ERR_NOT_STARTED');
    });

    it('remembers message ids across a reopen, and forgets them after the retention', () => {
      const first = open({ retentionMs: DAY });
      expect(first.seen('m-1', clock)).toBe(true);
      expect(first.seen('m-1', clock)).toBe(false);
      first.stop();
      const second = open({ retentionMs: DAY });
      expect(second.seen('m-1', clock)).toBe(false);
      second.stop();
      clock += 2 * DAY;
      const third = open({ retentionMs: DAY });
      expect(third.seen('m-1', clock)).toBe(true);
      expect(third.seen('m-2', clock - 3 * DAY)).toBe(true);
      expect(third.prune()).toBe(1);
    });

    it('opens an incident, joins later assessments to it and raises its level', () => {
      const store = open();
      const events: IncidentEvent[] = [];
      store.on('incident', (event) => events.push(event));
      const first = store.openOrJoin(assessment('gw-1', 'low', clock));
      const second = store.openOrJoin(assessment('gw-1', 'high', clock + 1000, ['flames']));
      const third = store.openOrJoin(assessment('gw-1', 'medium', clock + 2000, ['calmer']));
      expect(first?.change).toBe('opened');
      expect(second?.change).toBe('escalated');
      expect(third?.change).toBe('updated');
      const incident = store.get(first?.incident.id ?? '');
      expect(incident).toMatchObject({
        deviceId: 'gw-1',
        zone: 'kitchen',
        level: 'high',
        state: 'open',
        openedAt: clock,
        updatedAt: clock + 2000,
        assessments: 3,
        reasons: ['flames'],
      });
      expect(incident?.messageIds).toHaveLength(3);
      expect(events.map((e) => e.change)).toEqual(['opened', 'escalated', 'updated']);
      expect(store.list()).toHaveLength(1);
    });

    it('opens nothing for level none, and keeps devices apart', () => {
      const store = open();
      expect(store.openOrJoin(assessment('gw-1', 'none', clock))).toBeUndefined();
      store.openOrJoin(assessment('gw-1', 'low', clock));
      store.openOrJoin(assessment('gw-2', 'low', clock + 1));
      expect(store.list().map((i) => i.deviceId)).toEqual(['gw-2', 'gw-1']);
    });

    it('moves open → acknowledged → resolved and refuses anything else', () => {
      const store = open();
      const events: string[] = [];
      store.on('incident', (event) => events.push(event.change));
      const id = store.openOrJoin(assessment('gw-1', 'medium', clock))?.incident.id ?? '';
      clock += 5000;
      const acknowledged = store.acknowledge(id, 'ana');
      expect(acknowledged).toMatchObject({
        state: 'acknowledged',
        acknowledgedBy: 'ana',
        acknowledgedAt: clock,
      });
      expectCode(() => store.acknowledge(id, 'ana'), 'EMBER_ERR_INCIDENT_TRANSITION');
      // An escalation keeps the acknowledgement.
      expect(store.openOrJoin(assessment('gw-1', 'high', clock))?.incident.state).toBe('acknowledged');
      expectCode(() => store.resolve(id, 'arson?', 'ana'), 'EMBER_ERR_BAD_OUTCOME');
      clock += 5000;
      const resolved = store.resolve(id, 'false-alarm', 'ana', 'toast');
      expect(resolved).toMatchObject({
        state: 'resolved',
        outcome: 'false-alarm',
        resolvedAt: clock,
        level: 'high',
      });
      expectCode(() => store.resolve(id, 'fire', 'ana'), 'EMBER_ERR_INCIDENT_TRANSITION');
      expectCode(() => store.acknowledge(id, 'ana'), 'EMBER_ERR_INCIDENT_TRANSITION');
      expectCode(() => store.resolve('nope', 'fire', 'ana'), 'EMBER_ERR_INCIDENT_NOT_FOUND');
      expect(events).toEqual(['opened', 'acknowledged', 'escalated', 'resolved']);
      expect(store.actions(id).map((a) => [a.kind, a.detail])).toEqual([
        ['acknowledged', 'by ana'],
        ['resolved', 'false-alarm by ana: toast'],
      ]);
      expect(store.outcomesOf('gw-1', clock - DAY)).toEqual([
        { incidentId: id, outcome: 'false-alarm', resolvedAt: clock },
      ]);
    });

    it('opens a new incident once the previous one is resolved', () => {
      const store = open();
      const first = store.openOrJoin(assessment('gw-1', 'low', clock))?.incident.id ?? '';
      store.resolve(first, 'test', 'ops');
      const second = store.openOrJoin(assessment('gw-1', 'low', clock + 1));
      expect(second?.change).toBe('opened');
      expect(second?.incident.id).not.toBe(first);
      expect(store.list({ state: 'open' }).map((i) => i.id)).toEqual([second?.incident.id]);
      expect(store.list({ deviceId: 'gw-1', limit: 1 })).toHaveLength(1);
      expect(store.list({ deviceId: 'gw-9' })).toEqual([]);
    });

    it('keeps assessments with their features and gives them back as the data window', () => {
      const store = open();
      const a = assessment('gw-1', 'medium', clock);
      const id = store.openOrJoin(a)?.incident.id ?? null;
      store.record(
        { ...a, incidentId: id },
        {
          features: { pm25_dev: 2.5, co_dev: null },
          deviceLevel: 'low',
          probability: 0.42,
          messageTs: clock - 10,
        },
      );
      expect(store.assessments(id ?? '')).toEqual([{ ...a, incidentId: id }]);
      const window = store.dataWindow(id ?? '');
      expect(window.incident.id).toBe(id);
      expect(window.assessments).toEqual([
        {
          id: a.id,
          messageId: a.messageId,
          ts: clock,
          messageTs: clock - 10,
          level: 'medium',
          deviceLevel: 'low',
          probability: 0.42,
          score: 0.5,
          features: { pm25_dev: 2.5, co_dev: null },
        },
      ]);
      expect(store.deviceAnomalies('gw-1', clock - 100)).toEqual([
        { messageTs: clock - 10, ts: clock, deviceLevel: 'low', level: 'medium', probability: 0.42 },
      ]);
      expectCode(() => store.dataWindow('nope'), 'EMBER_ERR_INCIDENT_NOT_FOUND');
    });

    it('reports the highest level each zone mate raised within the window', () => {
      const store = open();
      const ctx = (deviceLevel: AlarmLevel) => ({
        features: {},
        deviceLevel,
        probability: 0.5,
        messageTs: clock,
      });
      store.record(assessment('gw-2', 'medium', clock - 1000), ctx('medium'));
      store.record(assessment('gw-2', 'low', clock - 500), ctx('low'));
      store.record(assessment('gw-3', 'low', clock - 999_999), ctx('high'));
      store.record(assessment('gw-1', 'high', clock), ctx('high'));
      expect(store.zoneActivity('kitchen', clock - 60_000, 'gw-1')).toEqual([
        { deviceId: 'gw-2', level: 'medium', ts: clock - 500 },
      ]);
    });

    it('records actions only for incidents that exist, and keeps everything across a restart', () => {
      const first = open();
      const id = first.openOrJoin(assessment('gw-1', 'high', clock))?.incident.id ?? '';
      const action = first.recordAction(id, 'notified', 'webhook ops');
      expect(action).toMatchObject({ incidentId: id, kind: 'notified', detail: 'webhook ops', ts: clock });
      expectCode(() => first.recordAction('nope', 'notified', 'x'), 'EMBER_ERR_INCIDENT_NOT_FOUND');
      first.stop();
      const second = open();
      expect(second.get(id)?.level).toBe('high');
      expect(second.actions(id)).toEqual([action]);
      expect(second.openOrJoin(assessment('gw-1', 'low', clock + 1))?.change).toBe('updated');
    });

    it('holds events back until the transaction commits, and drops them when it rolls back', () => {
      const store = open();
      const events: string[] = [];
      store.on('incident', (event) => events.push(event.change));
      expect(() =>
        store.transaction(() => {
          store.openOrJoin(assessment('gw-1', 'low', clock));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(events).toEqual([]);
      expect(store.list()).toEqual([]);
      store.transaction(() => {
        store.openOrJoin(assessment('gw-1', 'low', clock));
        expect(events).toEqual([]);
      });
      expect(events).toEqual(['opened']);
    });

    it('serves the look-backs from committed assessments only, the same after a restart', () => {
      const first = open();
      const ctx = (deviceLevel: AlarmLevel, messageTs: number) => ({
        features: {},
        deviceLevel,
        probability: 0.5,
        messageTs,
      });
      first.record(assessment('gw-2', 'medium', clock - 1000), ctx('medium', clock - 1000));
      first.record(assessment('gw-1', 'low', clock - 500), ctx('low', clock - 500));
      expect(() =>
        first.transaction(() => {
          first.record(assessment('gw-2', 'high', clock), ctx('high', clock));
          throw new Error('rolled back');
        }),
      ).toThrow('rolled back');
      expect(first.zoneActivity('kitchen', clock - 60_000, 'gw-1')).toEqual([
        { deviceId: 'gw-2', level: 'medium', ts: clock - 1000 },
      ]);
      first.stop();
      const second = open();
      expect(second.zoneActivity('kitchen', clock - 60_000, 'gw-1')).toEqual([
        { deviceId: 'gw-2', level: 'medium', ts: clock - 1000 },
      ]);
      expect(second.recentAnomalies('gw-1', 0).map((a) => a.deviceLevel)).toEqual(['low']);
      expect(second.deviceAnomalies('gw-2', 0, clock - 1000)).toEqual([]);
      expect(second.deviceAnomalies('gw-2', 0).map((a) => a.deviceLevel)).toEqual(['medium']);
    });

    it('lists at most the limit asked, newest first, whatever the limit given', () => {
      const store = open();
      for (let i = 0; i < 3; i++) store.openOrJoin(assessment(`gw-${String(i)}`, 'low', clock + i));
      expect(store.list({ limit: 2 }).map((i) => i.deviceId)).toEqual(['gw-2', 'gw-1']);
      expect(store.list({ limit: Number.NaN })).toHaveLength(3);
      expect(store.list({ limit: -5 })).toHaveLength(1);
    });

    it('gives each page of an incident to the first claim only, also after a reopen', () => {
      const first = open();
      const id = first.openOrJoin(assessment('gw-1', 'high', clock))?.incident.id ?? '';
      expect(first.claimPage(id, 'alerted')).toBe(true);
      expect(first.claimPage(id, 'alerted')).toBe(false);
      expect(first.claimPage(id, 'repeated 1')).toBe(true);
      expectCode(() => first.claimPage('nope', 'alerted'), 'EMBER_ERR_INCIDENT_NOT_FOUND');
      first.stop();
      const second = open();
      expect(second.claimPage(id, 'alerted')).toBe(false);
      expect(second.claimPage(id, 'repeated 2')).toBe(true);
    });
  });
}
