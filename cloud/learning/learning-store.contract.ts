import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import type { LearningDecision, RolloutProgress } from '../contracts/cloud-values.js';
import { LearningAgent } from './learning-agent.js';
import { incidentOf, OPENED, windowOf } from './learning-fixtures.test-helper.js';
import { LearningStore } from './learning-store.js';
import type { LearningAgentOptions, OutcomeInput } from './learning-types.js';

/** Where one test's learning tables live: a SQLite file or a PostgreSQL database, the same for every store it opens. */
export interface LearningBackend {
  readonly where: Pick<LearningAgentOptions, 'databaseFile' | 'postgresUrl'>;
  dispose(): Promise<void>;
}

function open(where: LearningBackend['where']): LearningStore {
  return where.postgresUrl === undefined
    ? LearningStore.open(where.databaseFile ?? '')
    : LearningStore.openPostgres(where.postgresUrl);
}

function decision(id: string, ts: number, outcome: LearningDecision['outcome'] = 'fire'): LearningDecision {
  return {
    id,
    ts,
    incidentId: `inc-${id}`,
    outcome,
    action: 'none',
    explanation: `why ${id}`,
    details: { n: 1 },
  };
}

function input(deviceId: string, outcome: OutcomeInput['outcome'] = 'false-alarm'): OutcomeInput {
  return { incident: incidentOf(deviceId, 'medium'), outcome, by: 'ops', window: windowOf([[0, 'medium']]) };
}

/** The learning store's behaviour, and two agents sharing it, on every home of its tables. */
export function describeLearningStoreContract(
  name: string,
  makeBackend: () => Promise<LearningBackend>,
): void {
  describe(`LearningStore on ${name}`, () => {
    let backend: LearningBackend;
    let store: LearningStore;

    beforeEach(async () => {
      backend = await makeBackend();
      store = open(backend.where);
    });

    afterEach(async () => {
      store.close();
      await backend.dispose();
    });

    it('keeps decisions newest first across a reopen, and replaces one when its retraining finishes', () => {
      store.record({ decision: decision('a', OPENED), deviceId: 'gw-1', pattern: null, retrainReason: null });
      store.record({
        decision: decision('b', OPENED + 1),
        deviceId: 'gw-1',
        pattern: null,
        retrainReason: 'late fire',
      });
      expect(store.owedRetrains().map((o) => `${o.decision.id} ${o.reason}`)).toEqual(['b late fire']);
      store.update({
        ...decision('b', OPENED + 1),
        explanation: 'retrained',
        details: { retrain: { version: 'm2' } },
      });
      store.close();
      store = open(backend.where);
      expect(store.decisions().map((d) => d.id)).toEqual(['b', 'a']);
      expect(store.decisions(1).map((d) => d.id)).toEqual(['b']);
      expect(store.decision('b')).toMatchObject({
        explanation: 'retrained',
        details: { retrain: { version: 'm2' } },
      });
      expect(store.decision('a')).toEqual(decision('a', OPENED));
      expect(store.decision('nope')).toBeUndefined();
      expect(store.owedRetrains()).toEqual([]);
    });

    it('queues outcomes oldest first and turns each into one decision only', () => {
      const first = store.enqueue(input('gw-1'), OPENED);
      const second = store.enqueue(input('gw-2', 'fire'), OPENED + 5);
      expect(second).toBeGreaterThan(first);
      const queued = store.queued();
      expect(queued.map((q) => [q.seq, q.queuedAt, q.input?.incident.deviceId])).toEqual([
        [first, OPENED, 'gw-1'],
        [second, OPENED + 5, 'gw-2'],
      ]);
      expect(queued[0]?.input).toEqual(input('gw-1'));
      const record = {
        decision: decision('d1', OPENED),
        deviceId: 'gw-1',
        pattern: null,
        retrainReason: null,
      };
      expect(store.record(record, first)).toBe(true);
      // A second worker that learned the same outcome records nothing.
      expect(store.record({ ...record, decision: decision('d2', OPENED) }, first)).toBe(false);
      expect(store.decisions().map((d) => d.id)).toEqual(['d1']);
      expect(store.queued().map((q) => q.seq)).toEqual([second]);
      expect(store.drop(second)).toBe(true);
      expect(store.drop(second)).toBe(false);
      expect(store.queued()).toEqual([]);
    });

    it('finds past false alarms with a pattern since a time, and keeps the policy last sent to a device', () => {
      const alarm = (id: string, ts: number, deviceId: string, pattern: string | null): void =>
        void store.record({
          decision: decision(id, ts, 'false-alarm'),
          deviceId,
          pattern,
          retrainReason: null,
        });
      alarm('old', OPENED - 10, 'gw-1', 'co');
      alarm('new', OPENED, 'gw-2', 'co');
      alarm('none', OPENED + 1, 'gw-3', null);
      store.record({
        decision: decision('fire', OPENED + 2),
        deviceId: 'gw-4',
        pattern: 'co',
        retrainReason: null,
      });
      expect(store.falseAlarms(OPENED)).toEqual([{ deviceId: 'gw-2', ts: OPENED, pattern: 'co' }]);

      expect(store.policyOf('gw-1')).toBeUndefined();
      const raised = { ...DEFAULT_ALARM_POLICY, high: { ...DEFAULT_ALARM_POLICY.high, threshold: 0.9 } };
      store.setPolicy('gw-1', DEFAULT_ALARM_POLICY, OPENED);
      store.setPolicy('gw-1', raised, OPENED + 1);
      store.close();
      store = open(backend.where);
      expect(store.policyOf('gw-1')).toEqual(raised);
    });
  });

  describe(`Two learning agents sharing ${name}`, () => {
    let dir: string;
    let backend: LearningBackend;
    let retrains: string[];
    let rollouts: string[];
    let release: () => void = () => undefined;
    const agents: LearningAgent[] = [];

    function make(): LearningAgent {
      const agent = new LearningAgent({
        ...backend.where,
        shared: true,
        pollMs: 50,
        fieldDataDir: join(dir, 'field'),
        publisher: { publish: () => Promise.resolve() },
        retrainer: {
          retrain: async (reason) => {
            retrains.push(reason);
            const version = `m${String(retrains.length)}`;
            // The first retraining runs until the test releases it.
            if (retrains.length === 1) await new Promise<void>((resolve) => (release = resolve));
            return { version, approved: true, verdict: {} };
          },
        },
        rollout: {
          start: ({ version }) => {
            rollouts.push(version);
            return Promise.resolve({ id: `r-${version}` } as RolloutProgress);
          },
        },
        now: () => OPENED + 3_600_000,
      });
      agents.push(agent);
      return agent;
    }

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ember-learning-shared-'));
      backend = await makeBackend();
      retrains = [];
      rollouts = [];
    });

    afterEach(async () => {
      for (const agent of agents.splice(0)) await agent.stop();
      await backend.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const waitUntil = async (done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const settled = async (agent: LearningAgent, count: number): Promise<LearningDecision[]> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await agent.idle();
        const made = agent.decisions();
        if (made.length >= count || Date.now() > deadline) return made;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    it('learns what any agent queued on the leader only; a new leader takes up queued outcomes and owed retrainings', async () => {
      const follower = make();
      const leader = make();
      await follower.start();
      await leader.start();
      await leader.lead();
      const learned: string[] = [];
      follower.on('learned', (d) => learned.push(`follower ${d.action}`));
      leader.on('learned', (d) => learned.push(`leader ${d.action}`));

      follower.submit(input('gw-1'));
      const made = await settled(leader, 1);
      expect(made.map((d) => d.action)).toEqual(['adjust-rules']);
      // Any agent reads the shared decisions.
      expect(follower.decisions()).toEqual(made);
      expect(learned).toEqual(['leader adjust-rules']);

      // The leader loses the role while retraining: the next leader retrains again, and only it rolls out.
      leader.submit(input('gw-2', 'fire'));
      await waitUntil(() => retrains.length === 1);
      await leader.follow();
      leader.submit(input('gw-3', 'fire'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(leader.decisions().map((d) => d.incidentId)).toEqual(['inc-gw-2', 'inc-gw-1']);
      await follower.lead();
      const after = await settled(follower, 3);
      expect(after.map((d) => `${d.incidentId} ${d.action}`)).toEqual([
        'inc-gw-3 retrain',
        'inc-gw-2 retrain',
        'inc-gw-1 adjust-rules',
      ]);
      await waitUntil(() => retrains.length === 3);
      await follower.idle();
      release();
      await leader.idle();
      expect(retrains).toEqual([
        'real fire on gw-2 reached only medium',
        'real fire on gw-2 reached only medium',
        'real fire on gw-3 reached only medium',
      ]);
      expect(rollouts).toEqual(['m2', 'm3']);
      expect(follower.decisions().map((d) => d.details['rolloutId'])).toEqual(['r-m3', 'r-m2', undefined]);
      expect(learned).toEqual(['leader adjust-rules', 'leader retrain', 'follower retrain']);
    });
  });
}
