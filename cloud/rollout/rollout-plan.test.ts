import { describe, expect, it } from 'vitest';
import { alarmRegression, canaryCount, installOutcome, judgeCanaries, pickCanaries } from './rollout-plan.js';

describe('rollout plan', () => {
  it('takes the canary share of the fleet, at least one device and at most all', () => {
    expect(canaryCount(3, 0.1)).toBe(1);
    expect(canaryCount(1000, 0.1)).toBe(100);
    expect(canaryCount(10, 0.25)).toBe(3);
    expect(canaryCount(2, 1)).toBe(2);
    expect(canaryCount(0, 0.1)).toBe(0);
  });

  it('picks canaries reproducibly per rollout, and differently across rollouts', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `gw-${i}`);
    const a = pickCanaries(ids, 0.1, 'rollout-a');
    expect(a).toHaveLength(5);
    expect(pickCanaries(ids, 0.1, 'rollout-a')).toEqual(a);
    expect(pickCanaries(ids, 0.1, 'rollout-b')).not.toEqual(a);
    expect(a.every((id) => ids.includes(id))).toBe(true);
  });

  it('waits for every canary, fails past the allowed failures, passes otherwise', () => {
    const installed = { deviceId: 'a', status: 'installed' as const, reason: null };
    const offered = { deviceId: 'b', status: 'offered' as const, reason: null };
    const rejected = { deviceId: 'c', status: 'rejected' as const, reason: 'bad reference' };
    expect(judgeCanaries([installed, offered], 0)).toEqual({ outcome: 'wait' });
    expect(judgeCanaries([installed], 0)).toEqual({ outcome: 'pass' });
    expect(judgeCanaries([installed, offered, rejected], 0)).toEqual({
      outcome: 'fail',
      reason: 'canary c rejected (bad reference)',
    });
    expect(judgeCanaries([installed, rejected], 1)).toEqual({ outcome: 'pass' });
    const timedOut = { deviceId: 'd', status: 'timed-out' as const, reason: null };
    expect(judgeCanaries([rejected, timedOut], 1)).toMatchObject({
      outcome: 'fail',
      reason: 'canary c rejected (bad reference); d timed-out (more than 1 allowed)',
    });
  });

  it('reads install reports as device statuses', () => {
    const base = { offerId: 'o', version: 'v2', ts: 1 };
    expect(installOutcome({ ...base, status: 'installed' })).toEqual({ status: 'installed', reason: null });
    expect(
      installOutcome({
        ...base,
        status: 'rejected',
        code: 'EMBER_ERR_MODEL_CHECKSUM',
        reason: 'hash differs',
      }),
    ).toEqual({ status: 'rejected', reason: 'EMBER_ERR_MODEL_CHECKSUM: hash differs' });
    expect(installOutcome({ ...base, status: 'rolled-back', reason: '5 inference failures' })).toEqual({
      status: 'rolled-back',
      reason: 'the device rolled the model back: 5 inference failures',
    });
  });

  it('calls a regression only when the rate rose both relatively and absolutely', () => {
    const limits = { maxIncreaseRatio: 2, minIncrease: 1 };
    expect(alarmRegression(1, 1.9, limits)).toBeUndefined();
    expect(alarmRegression(0, 0.5, limits)).toBeUndefined();
    expect(alarmRegression(1, 2.5, limits)).toBe(
      "canaries' anomaly rate rose from 1 to 2.5 after installing",
    );
    expect(alarmRegression(0, 3, limits)).toBeDefined();
    expect(alarmRegression(Number.NaN, 3, limits)).toBeUndefined();
  });
});
