import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import { evaluateGate } from './gate.js';
import { checkRecordings } from './recording-checks.js';
import { passingEvaluation } from './registry-fixtures.test-helper.js';

/** A heat-only recording: 22 °C, then from `fromS` a rise of `perS` °C a second. */
function ramp(fromS: number, perS: number, endS = 300): string {
  const rows = ['t_s,temp_c'];
  for (let t = 0; t <= endS; t++)
    rows.push(`${String(t)},${(22 + Math.max(0, t - fromS) * perS).toFixed(2)}`);
  return rows.join('\n');
}

function fieldFolder(recordings: { outcome: string; file: string; csv: string }[]): string {
  const field = mkdtempSync(join(tmpdir(), 'emberwatch-checks-'));
  const root = join(field, 'recordings');
  const lines = recordings.map((r, i) => {
    mkdirSync(join(root, r.outcome), { recursive: true });
    writeFileSync(join(root, r.file), r.csv);
    return JSON.stringify({
      schemaVersion: 1,
      incidentId: `inc-${String(i)}`,
      deviceId: 'gw-1',
      outcome: r.outcome,
      file: r.file,
      sourceKey: `recordings/gw-1/${String(i)}.csv`,
      alarmAtS: 100,
      labelledBy: 'operator',
      labelledAt: 1,
    });
  });
  writeFileSync(join(root, 'labels.jsonl'), `${lines.join('\n')}\n`);
  return field;
}

describe('checkRecordings and the gate', () => {
  it('passes a confirmed fire that reaches high and refuses one that never does, naming it', async () => {
    const field = fieldFolder([
      { outcome: 'fire', file: 'fire/a.csv', csv: ramp(100, 0.5) },
      { outcome: 'fire', file: 'fire/b.csv', csv: ramp(100, 0) },
      { outcome: 'test', file: 'test/c.csv', csv: ramp(100, 0) },
    ]);
    const checks = await checkRecordings(new RuleModel(), DEFAULT_ALARM_POLICY, {
      realFires: [],
      fieldDataDir: field,
    });
    expect(checks.map((c) => [c.kind, c.passed])).toEqual([
      ['field-fire', true],
      ['field-fire', false],
    ]);
    const gate = evaluateGate(passingEvaluation('candidate'), undefined, undefined, checks);
    const fieldCheck = gate.checks.find((c) => c.criterion === 'fieldFires');
    expect(fieldCheck?.passed).toBe(false);
    expect(fieldCheck?.reason).toMatch(
      /^FAIL: 1 of 2 confirmed field fires failed: .*fire\/b\.csv \(incident inc-1, gw-1\): confirmed fire, high never/,
    );
    expect(gate.approved).toBe(false);
  });

  it('refuses a candidate that raises a high on a confirmed false alarm', async () => {
    const field = fieldFolder([{ outcome: 'false-alarm', file: 'false-alarm/x.csv', csv: ramp(100, 0.5) }]);
    const checks = await checkRecordings(new RuleModel(), DEFAULT_ALARM_POLICY, {
      realFires: [],
      fieldDataDir: field,
    });
    expect(checks).toEqual([expect.objectContaining({ kind: 'field-false-alarm', passed: false })]);
    expect(checks[0]?.reason).toMatch(/confirmed false alarm, high at \d+ s$/);
  });

  it('replays the shipped real fires: the rules and floors are never silent there', async () => {
    const real = new URL('../../recordings/nist-home-smoke-alarms', import.meta.url).pathname;
    const checks = await checkRecordings(new RuleModel(), DEFAULT_ALARM_POLICY, { realFires: [real] });
    expect(checks).toHaveLength(25);
    expect(checks.every((c) => c.kind === 'real-fire' && !c.reason.includes('silent'))).toBe(true);
    const gate = evaluateGate(passingEvaluation('candidate'), undefined, undefined, checks);
    const realCheck = gate.checks.find((c) => c.criterion === 'realFires');
    expect(realCheck?.reason).toMatch(/real-fire positions/);
  });
});
