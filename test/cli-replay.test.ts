import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../shared/alarm/alarm-policy.js';
import { writeModelDir } from '../shared/model/model-dir.js';
import { tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';
import { jsonLines, runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-replay-'));
const HEADER = 't_s,temp_c,humidity_pct,co_ppm,co2_ppm,pm25_ugm3,pm10_ugm3';

function csvFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Ten minutes of a quiet room, with sensor-sized wobble. */
function cleanRoom(): string {
  const rows = [HEADER];
  for (let t = 0; t <= 600; t++) {
    const wobble = Math.sin(t / 7) * 0.05;
    rows.push([t, 21 + wobble, 45 + wobble, 0, 450 + 3 * wobble, 5, 8].join(','));
  }
  return rows.join('\n');
}

/** Five quiet minutes, then a flaming fire: +10 °C/min past 60 °C, CO and PM2.5 climbing hard. */
function fastFire(): string {
  const rows = [HEADER];
  for (let t = 0; t <= 600; t += 2) {
    const s = Math.max(0, t - 300);
    rows.push([t, 21 + s / 6, 45 - s / 30, 2 * s, 450 + 5 * s, 5 + s * s * 0.05, 8 + s * s * 0.06].join(','));
  }
  return rows.join('\n');
}

async function replay(
  file: string,
  ...extra: string[]
): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  const result = await runCli(['replay', '--input', file, '--model', 'rules', ...extra]);
  return { code: result.code, lines: jsonLines(result.stdout), stderr: result.stderr };
}

describe('emberwatch replay', () => {
  const modelDir = join(dir, 'model');
  beforeAll(async () => {
    const tiny = trainTinyModel(11);
    mkdirSync(modelDir);
    await writeModelDir(modelDir, await tinyManifest(tiny, 'tiny-replay'), tiny.bytes);
  });

  it('stays silent on a steady clean room', async () => {
    const { code, lines, stderr } = await replay(csvFile('clean.csv', cleanRoom()));
    expect(code, stderr).toBe(0);
    expect(lines).toEqual([]);
  });

  it('raises a high alarm on a fast fire, after it starts, one JSON line per change', async () => {
    const { code, lines, stderr } = await replay(csvFile('fire.csv', fastFire()));
    expect(code, stderr).toBe(0);
    const high = lines.find((l) => l['level'] === 'high');
    expect(high).toBeDefined();
    expect(high?.['t_s']).toBeGreaterThan(300);
    expect(high?.['t_s']).toBeLessThan(540); // before the air passes 60 °C
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['level', 'probability', 't_s']);
      expect(line['probability']).toBeGreaterThanOrEqual(0);
      expect(line['probability']).toBeLessThanOrEqual(1);
    }
  });

  it('uses --policy instead of the model policy', async () => {
    const strict = { ...DEFAULT_ALARM_POLICY, high: { ...DEFAULT_ALARM_POLICY.high, raiseAfter: 100_000 } };
    const policy = csvFile('policy.json', JSON.stringify(strict));
    // Without its temperature the fire gives the heat floors nothing: only the model's policy decides.
    const noHeat = fastFire()
      .split('\n')
      .map((line) =>
        line
          .split(',')
          .filter((_, i) => i !== 1)
          .join(','),
      )
      .join('\n');
    const { code, lines } = await replay(csvFile('fire2.csv', noHeat), '--policy', policy);
    expect(code).toBe(0);
    expect(lines.some((l) => l['level'] === 'high')).toBe(false);
    expect(lines.some((l) => l['level'] === 'medium')).toBe(true);
    const bad = csvFile('bad-policy.json', JSON.stringify({ ...strict, hysteresis: 2 }));
    const refused = await replay(csvFile('fire3.csv', fastFire()), '--policy', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--policy .*hysteresis/);
  });

  it('runs a real ONNX model folder', async () => {
    const result = await runCli(['replay', '--input', csvFile('fire4.csv', fastFire()), '--model', modelDir]);
    expect(result.code, result.stderr).toBe(0);
    for (const line of jsonLines(result.stdout))
      expect(['none', 'low', 'medium', 'high']).toContain(line['level']);
  });

  it.concurrent.each([
    ['unknown column', `${HEADER},smoke\n0,21,45,0,450,5,8,1\n`, /line 1, column 8 'smoke': unknown column/],
    ['non-numeric cell', 't_s,co_ppm\n0,1\n1,lots\n', /line 3, column co_ppm: 'lots' is not a number/],
    ['missing t_s', 'temp_c\n21\n', /line 1: no t_s column/],
    ['time going backwards', 't_s,temp_c\n0,21\n10,21\n9,21\n', /line 4, column t_s: time goes backwards/],
    ['an empty file', '', /empty file: expected a header line/],
  ])('refuses a CSV with %s in one line naming where', async (name, text, message) => {
    const { code, lines, stderr } = await replay(csvFile(`bad-${name.replace(/ /g, '-')}.csv`, text));
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('refuses a missing input file and a missing --model', async () => {
    const [missing, noModel] = await Promise.all([
      runCli(['replay', '--input', join(dir, 'nope.csv'), '--model', 'rules']),
      runCli(['replay', '--input', csvFile('ok.csv', cleanRoom())]),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --input .*nope\.csv: ENOENT/);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--model/);
  });
});
