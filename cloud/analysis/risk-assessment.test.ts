import { describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { readFireSigns } from './fire-signs.js';
import { assessRisk, type RiskInput } from './risk-assessment.js';

const T = 1_700_000_000_000;

const SMOKE = { pm25_dev: 3, pm25_level: Math.log1p(200) };
const CO = { co_dev: 30, co_d60: 0.1 };
const HEAT = { temp_dev: 15, temp_d60: 0.2 };
const HOTSPOT = { tmax_level: 160, thot_d60: 0.2, thermal_motion10: 0 };
const STEAM = { humidity_level: 95, humidity_d60: 0.1 };

function input(
  level: AlarmLevel,
  overrides: Partial<RiskInput> = {},
  features: Record<string, number | null> = {},
) {
  const base: RiskInput = {
    anomaly: {
      deviceId: 'gw-1',
      ts: T,
      level,
      previousLevel: 'none',
      probability: level === 'high' ? 0.9 : level === 'medium' ? 0.65 : level === 'low' ? 0.35 : 0.1,
      modelVersion: 'gbdt-7',
      features,
    },
    zone: 'kitchen',
    history: [],
    outcomes: [],
    zoneMates: [],
    health: { online: true, sensors: { pms: 'open', co: 'open' }, decodeErrorRate: 0 },
  };
  return { ...base, ...overrides };
}

describe('readFireSigns', () => {
  it('reads each sign from its features and names the ones whose features are missing', () => {
    const signs = readFireSigns({ ...SMOKE, ...CO, tmax_level: null, thot_d60: null, temp_dev: 0.5 });
    expect([...signs.present].sort()).toEqual(['co', 'smoke']);
    expect(signs.missing).toEqual(['hotspot']);
    expect(signs.strength.heat).toBe(0);
  });

  it('does not read shower steam as smoke', () => {
    expect(readFireSigns({ ...SMOKE, ...STEAM }).present).toEqual([]);
  });
});

describe('assessRisk', () => {
  it('keeps a cleared alarm at none', () => {
    const verdict = assessRisk({
      ...input('none', { zoneMates: [{ deviceId: 'gw-2', level: 'high' }] }, { ...SMOKE, ...CO, ...HOTSPOT }),
      anomaly: { ...input('none').anomaly, previousLevel: 'high' },
    });
    expect(verdict.level).toBe('none');
    expect(verdict.reasons[0]).toContain('alarm cleared on the device (was high)');
  });

  it('never lowers a high the device raised, however weak the rest of the evidence', () => {
    const clean = assessRisk(input('high'));
    const doubtful = assessRisk(
      input('high', {
        outcomes: [{ outcome: 'false-alarm' }, { outcome: 'false-alarm' }, { outcome: 'false-alarm' }],
        health: { online: false, sensors: { pms: 'stale', co: 'reconnecting' }, decodeErrorRate: 80 },
      }),
    );
    expect(clean.level).toBe('high');
    expect(doubtful.level).toBe('high');
    expect(doubtful.score).toBeLessThan(clean.score);
    expect(doubtful.reasons.join('\n')).toContain('3 recent incidents on this device were false alarms');
  });

  it('keeps a medium with nothing to corroborate it', () => {
    const verdict = assessRisk(input('medium', {}, SMOKE));
    expect(verdict.level).toBe('medium');
    expect(verdict.reasons).toContain('only smoke is rising');
    expect(verdict.score).toBe(0.65);
  });

  it('raises a medium to high when a zone mate is at medium or above', () => {
    const verdict = assessRisk(input('medium', { zoneMates: [{ deviceId: 'gw-2', level: 'medium' }] }));
    expect(verdict.level).toBe('high');
    expect(verdict.reasons).toContain('corroborated by gw-2 (medium) in zone kitchen');
    expect(verdict.evidence['zoneMates']).toEqual([{ deviceId: 'gw-2', level: 'medium' }]);
  });

  it('keeps a medium when the zone mate is only at low, but counts it in the score', () => {
    const alone = assessRisk(input('medium'));
    const verdict = assessRisk(input('medium', { zoneMates: [{ deviceId: 'gw-2', level: 'low' }] }));
    expect(verdict.level).toBe('medium');
    expect(verdict.score).toBeGreaterThan(alone.score);
  });

  it('ignores zone mates below low and the device itself among its mates', () => {
    const verdict = assessRisk(
      input('medium', {
        zoneMates: [
          { deviceId: 'gw-2', level: 'none' },
          { deviceId: 'gw-1', level: 'high' },
        ],
      }),
    );
    expect(verdict.level).toBe('medium');
    expect(verdict.evidence['zoneMates']).toEqual([]);
  });

  it('raises a medium to high when smoke and CO rise together', () => {
    const verdict = assessRisk(input('medium', {}, { ...SMOKE, ...CO }));
    expect(verdict.level).toBe('high');
    expect(verdict.reasons).toContain('smoke and CO rising together');
    expect(verdict.reasons).toContain('raised to high: several fire signs agree');
  });

  it('does not raise a medium on smoke beside a hotspot alone (cooking), though the score rises', () => {
    const alone = assessRisk(input('medium', {}, SMOKE));
    const verdict = assessRisk(input('medium', {}, { ...SMOKE, ...HOTSPOT }));
    expect(verdict.level).toBe('medium');
    expect(verdict.score).toBeGreaterThan(alone.score);
    expect(verdict.evidence['fireSigns']).toEqual(expect.arrayContaining(['hotspot', 'smoke']));
  });

  it('gives a hotspot with smoke and CO the highest score of the combinations', () => {
    const full = assessRisk(input('medium', {}, { ...HOTSPOT, ...SMOKE, ...CO }));
    const gasOnly = assessRisk(input('medium', {}, { ...SMOKE, ...CO }));
    expect(full.level).toBe('high');
    expect(full.score).toBeGreaterThan(gasOnly.score);
  });

  it('does not raise a device with recent false alarms on its own evidence, but a zone mate still can', () => {
    const damped = input('medium', { outcomes: [{ outcome: 'false-alarm' }] }, { ...SMOKE, ...CO });
    expect(assessRisk(damped).level).toBe('medium');
    const mate = assessRisk({ ...damped, zoneMates: [{ deviceId: 'gw-2', level: 'high' }] });
    expect(mate.level).toBe('high');
  });

  it('counts only false alarms as damping: a real fire on the device does not damp it', () => {
    const verdict = assessRisk(input('medium', { outcomes: [{ outcome: 'fire' }] }, { ...SMOKE, ...CO }));
    expect(verdict.level).toBe('high');
    expect(verdict.evidence['falseAlarms']).toBe(0);
  });

  it('raises a low to medium when several signs agree and the device has kept at it', () => {
    const history = [{ messageTs: T - 90_000, deviceLevel: 'low' as const }];
    const verdict = assessRisk(input('low', { history }, { ...SMOKE, ...CO }));
    expect(verdict.level).toBe('medium');
    expect(verdict.reasons).toContain('in alarm for 90 s');
  });

  it('never takes a low above medium', () => {
    const verdict = assessRisk(
      input(
        'low',
        {
          zoneMates: [
            { deviceId: 'gw-2', level: 'high' },
            { deviceId: 'gw-3', level: 'high' },
          ],
          history: [{ messageTs: T - 200_000, deviceLevel: 'low' }],
        },
        { ...HOTSPOT, ...SMOKE, ...CO, ...HEAT },
      ),
    );
    expect(verdict.level).toBe('medium');
  });

  it('keeps a low with several signs but nothing persisting and no zone mate', () => {
    expect(assessRisk(input('low', {}, { ...SMOKE, ...CO })).level).toBe('low');
  });

  it('keeps a nuisance at low: one sign, however often it repeats and whoever else sees it', () => {
    const history = [
      { messageTs: T - 240_000, deviceLevel: 'low' as const },
      { messageTs: T - 200_000, deviceLevel: 'none' as const },
      { messageTs: T - 120_000, deviceLevel: 'low' as const },
      { messageTs: T - 100_000, deviceLevel: 'none' as const },
    ];
    const verdict = assessRisk(
      input('low', { history, zoneMates: [{ deviceId: 'gw-2', level: 'low' }] }, { ...SMOKE, ...STEAM }),
    );
    expect(verdict.level).toBe('low');
    expect(verdict.reasons).toContain('3 anomalies in the last 5 min');
  });

  it('raises the score for sustained and repeated anomalies, and only within the window', () => {
    const fresh = assessRisk(input('medium'));
    const sustained = assessRisk(
      input('medium', { history: [{ messageTs: T - 120_000, deviceLevel: 'low' }] }),
    );
    const broken = assessRisk(
      input('medium', {
        history: [
          { messageTs: T - 120_000, deviceLevel: 'low' },
          { messageTs: T - 30_000, deviceLevel: 'none' },
        ],
      }),
    );
    const old = assessRisk(input('medium', { history: [{ messageTs: T - 3_600_000, deviceLevel: 'low' }] }));
    expect(sustained.score).toBeGreaterThan(fresh.score);
    expect(sustained.evidence['sustainedS']).toBe(120);
    expect(broken.evidence['sustainedS']).toBe(0);
    expect(old.score).toBe(fresh.score);
    expect(old.evidence['recentAnomalies']).toBe(1);
  });

  it('lowers the score and says why for an offline device, troubled sensors and a noisy line', () => {
    const healthy = assessRisk(input('medium'));
    const sick = assessRisk(
      input('medium', {
        health: {
          online: false,
          sensors: { pms: 'stale', co: 'reconnecting', cam: 'open' },
          decodeErrorRate: 45,
        },
      }),
    );
    expect(sick.level).toBe('medium');
    expect(sick.score).toBeLessThan(healthy.score);
    const text = sick.reasons.join('\n');
    expect(text).toContain('device is offline');
    expect(text).toContain('sensor co is reconnecting');
    expect(text).toContain('sensor pms is stale');
    expect(text).toContain('45 checksum errors per 1000 frames');
    expect(text).not.toContain('sensor cam');
  });

  it('keeps the score within 0..1', () => {
    const top = assessRisk(
      input(
        'high',
        {
          zoneMates: [
            { deviceId: 'gw-2', level: 'high' },
            { deviceId: 'gw-3', level: 'high' },
          ],
        },
        { ...HOTSPOT, ...SMOKE, ...CO },
      ),
    );
    expect(top.score).toBe(1);
    const bottom = assessRisk({
      ...input('low', {
        outcomes: [{ outcome: 'false-alarm' }, { outcome: 'false-alarm' }, { outcome: 'false-alarm' }],
        health: { online: false, sensors: { a: 'stale', b: 'stale', c: 'closed' }, decodeErrorRate: 500 },
      }),
    });
    expect(bottom.score).toBe(0);
  });
});
