import { describe, expect, it } from 'vitest';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import { simulateRun } from '../sensors/simulate-run.js';
import { encodeRunFiles, type RunFileKind } from '../../shared/dataset/run-files.js';
import { sha256, validateRunFiles } from './validate-run.js';

describe('validation stage', () => {
  const trace = simulateRun(drawScenario('toast', 3), { durationS: 180, thermalHz: 1 });
  const meta = { runId: 'run-000003', index: 3, seed: 3, template: 'toast', durationS: 180, thermalHz: 1 };
  const files = encodeRunFiles(trace, meta);
  const checksums = new Map([...files].map(([k, b]) => [k, sha256(b)] as const));
  const json = (kind: RunFileKind) =>
    JSON.parse(Buffer.from(files.get(kind) ?? []).toString()) as Record<string, unknown>;
  const withJson = (kind: RunFileKind, value: unknown) =>
    new Map(files).set(kind, Buffer.from(JSON.stringify(value)));

  it('accepts a run as generated', () => {
    expect(validateRunFiles(files, checksums)).toEqual([]);
  });

  it('rejects flipped bytes through the checksum and the thermal decoder', () => {
    const thermal = Uint8Array.from(files.get('thermal') ?? []);
    thermal[100] = (thermal[100] ?? 0) ^ 0xff;
    const reasons = validateRunFiles(new Map(files).set('thermal', thermal), checksums);
    expect(reasons[0]).toMatch(/thermal: checksum does not match/);
    expect(reasons.length).toBeGreaterThan(1);
  });

  it('rejects a physically impossible value and names it', () => {
    const gas = json('gas') as { ze07: { values: { co_ppm: number[] } } };
    gas.ze07.values.co_ppm[10] = 9000;
    expect(validateRunFiles(withJson('gas', gas))).toEqual([
      expect.stringMatching(/ze07\.co_ppm=9000 at t=\S+s is outside 0\.\.500/),
    ]);
  });

  it('rejects humidity above 100 % and time running backwards', () => {
    const env = json('environmental') as { mcu680: { t_s: number[]; values: { humidity_pct: number[] } } };
    env.mcu680.values.humidity_pct[0] = 140;
    env.mcu680.t_s[5] = 0;
    const reasons = validateRunFiles(withJson('environmental', env));
    expect(reasons.some((r) => r.includes('humidity_pct=140'))).toBe(true);
    expect(reasons.some((r) => r.includes('out of order'))).toBe(true);
  });

  it('rejects labels that contradict themselves and files that are not JSON', () => {
    const labels = json('labels') as { labels: { ignition_s: number | null } };
    labels.labels.ignition_s = 20;
    expect(validateRunFiles(withJson('labels', labels))).toEqual([
      expect.stringMatching(/labels: class (nuisance|normal) with ignition 20/),
    ]);
    expect(validateRunFiles(new Map(files).set('gas', Buffer.from('{"pms5003":')))).toEqual([
      'gas: not JSON',
    ]);
  });
});
