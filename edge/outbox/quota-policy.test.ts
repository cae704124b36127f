import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIORITIES } from './message.js';
import { evictableBy, OutboxLedger, planAdmission } from './quota-policy.js';

const limits = { quotaBytes: 1000, hardCeilingBytes: 1500 };

describe('planAdmission', () => {
  it('admits without eviction inside the quota', () => {
    expect(planAdmission('telemetry', 100, { bytesByRank: [0, 0, 0, 800] }, limits)).toEqual({
      admit: true,
      evictBytes: 0,
      evictFrom: [],
    });
  });

  it('evicts just enough telemetry, then status, for the newcomer', () => {
    expect(planAdmission('alarm', 300, { bytesByRank: [0, 0, 400, 500] }, limits)).toEqual({
      admit: true,
      evictBytes: 200,
      evictFrom: ['telemetry', 'status'],
    });
  });

  it('lets telemetry evict only telemetry, and status evict telemetry and status', () => {
    expect(evictableBy('telemetry')).toEqual(['telemetry']);
    expect(evictableBy('status')).toEqual(['telemetry', 'status']);
    expect(evictableBy('anomaly')).toEqual(['telemetry', 'status']);
  });

  it('refuses telemetry (retry later) when what is left may not be evicted', () => {
    const plan = planAdmission('telemetry', 100, { bytesByRank: [600, 0, 400, 0] }, limits);
    expect(plan).toMatchObject({ admit: false, code: 'EMBER_ERR_OUTBOX_FULL' });
  });

  it('admits an alarm above the quota after evicting everything evictable, up to the ceiling', () => {
    expect(planAdmission('alarm', 400, { bytesByRank: [900, 0, 0, 50] }, limits)).toEqual({
      admit: true,
      evictBytes: 50,
      evictFrom: ['telemetry', 'status'],
    });
    expect(planAdmission('anomaly', 700, { bytesByRank: [900, 0, 0, 50] }, limits)).toMatchObject({
      admit: false,
      code: 'EMBER_ERR_OUTBOX_HARD_LIMIT',
    });
  });

  it('never plans to evict alarms or anomalies, and an admission always fits its limit (property)', () => {
    const usage = fc.array(fc.integer({ min: 0, max: 800 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.constantFrom(...PRIORITIES),
        fc.integer({ min: 1, max: 900 }),
        usage,
        (priority, bytes, b) => {
          const plan = planAdmission(priority, bytes, { bytesByRank: b }, limits);
          if (!plan.admit) return;
          expect(plan.evictFrom).not.toContain('alarm');
          expect(plan.evictFrom).not.toContain('anomaly');
          const used = b.reduce((s, x) => s + x, 0);
          const after = used - plan.evictBytes + bytes;
          const protectedClass = priority === 'alarm' || priority === 'anomaly';
          expect(after).toBeLessThanOrEqual(protectedClass ? limits.hardCeilingBytes : limits.quotaBytes);
        },
      ),
    );
  });
});

describe('OutboxLedger', () => {
  it('counts adds, removals and evictions, and copies independently', () => {
    const ledger = new OutboxLedger();
    ledger.add(3, 100);
    ledger.add(0, 50);
    const copy = ledger.copy();
    copy.evicted(3, 100);
    expect(ledger.totalBytes).toBe(150);
    expect(copy.totalBytes).toBe(50);
    expect(copy.evictedByRank).toEqual([0, 0, 0, 1]);
    expect(copy.evictedSince([0, 0, 0, 0])).toEqual({ telemetry: 1 });
    expect(copy.evictedSince(copy.evictedByRank)).toBeUndefined();
    ledger.adopt(copy);
    expect(ledger.totalMessages).toBe(1);
  });
});
