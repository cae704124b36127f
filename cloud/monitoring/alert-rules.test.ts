import { describe, expect, it } from 'vitest';
import type { DeviceState, RolloutProgress } from '../contracts/cloud-values.js';
import {
  AlertRuleSettings,
  alertKey,
  diffConditions,
  evaluateAlertRules,
  type OutboxHistory,
} from './alert-rules.js';
import { deviceStateFixture } from '../../test/helpers/device-state.js';

const settings = AlertRuleSettings.parse({
  offlineAfterS: 60,
  outboxMessages: 100,
  outboxGrowingFor: 3,
  outboxOldestAgeS: 600,
  decodeErrorsPerThousand: 10,
});

function device(overrides: Partial<DeviceState> = {}): DeviceState {
  return deviceStateFixture({ lastSeen: 1_000_000, ...overrides });
}

function rollout(overrides: Partial<RolloutProgress> = {}): RolloutProgress {
  return {
    id: 'r-1',
    version: 'gbdt-2',
    previousVersion: 'gbdt-1',
    state: 'fleet',
    startedAt: 1,
    updatedAt: 1,
    canaryShare: 0.1,
    devices: [],
    reason: null,
    ...overrides,
  };
}

function evaluate(
  devices: DeviceState[],
  options: { rollouts?: RolloutProgress[]; history?: OutboxHistory; active?: string[]; now?: number } = {},
) {
  return evaluateAlertRules(
    {
      now: options.now ?? 1_000_000,
      devices,
      rollouts: options.rollouts ?? [],
      history: options.history ?? new Map(),
      active: new Set(options.active ?? []),
    },
    settings,
  );
}

/** Feeds outbox sizes through successive evaluations and returns whether the backlog rule held each time. */
function backlogSeries(sizes: number[]): boolean[] {
  let history: OutboxHistory = new Map();
  let active: string[] = [];
  return sizes.map((size) => {
    const result = evaluate([device({ outboxMessages: size })], { history, active });
    history = result.history;
    active = result.conditions.map((condition) => alertKey(condition.rule, condition.subject));
    return result.conditions.some((condition) => condition.rule === 'outbox-backlog');
  });
}

describe('alert rules', () => {
  it('finds nothing wrong with a healthy fleet', () => {
    expect(evaluate([device(), device({ deviceId: 'gw-2' })]).conditions).toEqual([]);
  });

  it('calls a device offline when it says so or has been silent too long', () => {
    const result = evaluate([
      device({ deviceId: 'gw-1', online: false, lastSeen: 999_000 }),
      device({ deviceId: 'gw-2', lastSeen: 1_000_000 - 61_000 }),
      device({ deviceId: 'gw-3', lastSeen: 1_000_000 - 59_000 }),
    ]);
    expect(result.conditions.map((condition) => [condition.rule, condition.subject])).toEqual([
      ['device-offline', 'gw-1'],
      ['device-offline', 'gw-2'],
    ]);
    expect(result.conditions[1]?.message).toBe('gw-2 offline: silent for 61 s (limit 60 s)');
  });

  it('raises a backlog only once the outbox is above the limit and grew over the window', () => {
    expect(backlogSeries([50, 80, 100])).toEqual([false, false, false]);
    expect(backlogSeries([50, 120, 130])).toEqual([false, false, true]);
    expect(backlogSeries([101, 120, 130])).toEqual([false, false, true]);
    expect(backlogSeries([200, 200, 200, 200])).toEqual([false, false, false, false]);
    expect(backlogSeries([150, 140, 160])).toEqual([false, false, false]);
  });

  it('keeps a raised backlog while it plateaus and clears it once it drains', () => {
    expect(backlogSeries([110, 120, 130, 130, 130, 125, 125])).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(backlogSeries([110, 120, 130, 90])).toEqual([false, false, true, false]);
  });

  it('raises a backlog for an old message whatever the outbox size', () => {
    const result = evaluate([device({ outboxMessages: 3, outboxOldestAgeS: 601 })]);
    expect(result.conditions).toEqual([
      { rule: 'outbox-backlog', subject: 'gw-1', message: 'gw-1: oldest waiting 601 s (limit 600 s)' },
    ]);
  });

  it('forgets the history of devices that left the fleet', () => {
    const first = evaluate([device({ deviceId: 'gw-1' }), device({ deviceId: 'gw-2' })]);
    const second = evaluate([device({ deviceId: 'gw-2' })], { history: first.history });
    expect([...second.history.keys()]).toEqual(['gw-2']);
  });

  it('flags decode errors above the rate on online devices only', () => {
    const result = evaluate([
      device({ deviceId: 'gw-1', decodeErrorRate: 12.34 }),
      device({ deviceId: 'gw-2', decodeErrorRate: 10 }),
      device({ deviceId: 'gw-3', decodeErrorRate: 50, online: false }),
    ]);
    const decode = result.conditions.filter((condition) => condition.rule === 'decode-errors');
    expect(decode).toEqual([
      {
        rule: 'decode-errors',
        subject: 'gw-1',
        message: 'gw-1: 12.3 checksum errors per 1000 frames (limit 10)',
      },
    ]);
  });

  it('flags the newest rollout when it failed or rolled back, and only the newest', () => {
    const failed = rollout({ id: 'r-1', state: 'rolled-back', reason: 'canary gw-2 rejected the model' });
    expect(evaluate([], { rollouts: [failed] }).conditions).toEqual([
      {
        rule: 'rollout-failed',
        subject: 'r-1',
        message: 'rollout of model gbdt-2 rolled-back: canary gw-2 rejected the model',
      },
    ]);
    const newer = rollout({ id: 'r-2', startedAt: 5, state: 'canary' });
    expect(evaluate([], { rollouts: [failed, newer] }).conditions).toEqual([]);
    expect(evaluate([], { rollouts: [rollout({ state: 'failed' })] }).conditions[0]?.message).toBe(
      'rollout of model gbdt-2 failed',
    );
  });

  it('tells new conditions from cleared ones', () => {
    const active = new Set([alertKey('device-offline', 'gw-1'), alertKey('decode-errors', 'gw-2')]);
    const diff = diffConditions(active, [
      { rule: 'device-offline', subject: 'gw-1', message: '' },
      { rule: 'device-offline', subject: 'gw-3', message: '' },
    ]);
    expect(diff.raised.map((condition) => condition.subject)).toEqual(['gw-3']);
    expect(diff.cleared).toEqual([alertKey('decode-errors', 'gw-2')]);
  });

  it('has sane defaults and names a bad field', () => {
    const defaults = AlertRuleSettings.parse({});
    expect(defaults.evaluateEveryS).toBe(15);
    expect(defaults.notify).toEqual([]);
    const bad = AlertRuleSettings.safeParse({ outboxGrowingFor: 1 });
    expect(bad.error?.issues[0]?.path).toEqual(['outboxGrowingFor']);
  });
});
