import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns } from './compare.js';
import { figure, formatMeasured, formatTable, verdictOf } from './figure.js';
import { readRun, type BenchRun } from './result-file.js';
import { pairedRatios, spread } from './stats.js';

describe('spread', () => {
  it('takes the median of an odd and an even number of rounds, not the best', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
  });

  it('leaves out rounds that gave no number, and has no median without any', () => {
    expect(spread([Number.NaN, 2, Number.POSITIVE_INFINITY, 4])).toEqual({ median: 3, min: 2, max: 4, n: 2 });
    expect(spread([]).n).toBe(0);
    expect(spread([Number.NaN]).median).toBeNaN();
  });
});

describe('pairedRatios', () => {
  it('divides round by round, so a slow moment that hits both sides cancels out', () => {
    // The best of each side divided would be 100 / 40 = 2.5; the pairs say 2 every time.
    const ratios = pairedRatios([100, 60, 80], [50, 30, 40]);
    expect(ratios).toEqual({ median: 2, min: 2, max: 2, n: 3 });
  });

  it('drops a round that has no partner', () => {
    expect(pairedRatios([10, 20, 30], [5, 10]).n).toBe(2);
  });
});

describe('verdictOf', () => {
  it('holds the median to the goal in its direction', () => {
    const at = (values: number[], op: '<=' | '>='): string =>
      verdictOf(figure('t', { name: 'x', unit: 'ms', values, goal: { op, value: 10 } }));
    expect(at([9, 10, 30], '<=')).toBe('pass');
    expect(at([9, 11, 12], '<=')).toBe('FAIL');
    expect(at([9, 10, 30], '>=')).toBe('pass');
    expect(at([1, 9, 30], '>=')).toBe('FAIL');
  });

  it('fails a goal without any measured round, and has no verdict without a goal', () => {
    expect(
      verdictOf(figure('t', { name: 'x', unit: 's', values: Number.NaN, goal: { op: '<=', value: 1 } })),
    ).toBe('FAIL');
    expect(verdictOf(figure('t', { name: 'x', unit: 's', values: [1, 2] }))).toBe('—');
  });
});

describe('the table', () => {
  it('shows goal, median with range and rounds, and verdict on one row per figure', () => {
    const f = figure('drain', {
      name: 'records',
      unit: 'records/s',
      values: [1200, 1190, 1182],
      goal: { op: '>=', value: 1000 },
    });
    expect(formatMeasured(f)).toBe('1,190 records/s (1,182–1,200, 3)');
    const lines = formatTable([f]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^drain: records +\| ≥ 1,000 records\/s \| 1,190 records\/s \(1,182–1,200, 3\) \| pass$/,
    );
  });
});

describe('result files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-bench-figures-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (commit: string, values: number[]): BenchRun => ({
    commit,
    dirty: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    node: 'v20',
    cpu: 'cpu',
    cores: 2,
    memoryGiB: 4,
    load: { before: 1, after: 1 },
    args: [],
    figures: [figure('edge', { name: 'frame', unit: 'µs', values })],
  });

  it('puts two runs side by side with the ratio of their medians', () => {
    writeFileSync(join(dir, 'old.json'), JSON.stringify(run('a'.repeat(40), [40, 50, 60])));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(run('b'.repeat(40), [20, 25, 30])));
    const table = compareRuns(join(dir, 'old.json'), join(dir, 'new.json'));
    expect(table).toContain('old aaaaaaaaaa');
    expect(table).toMatch(
      /edge: frame +\| 50\.0 µs \(40\.0–60\.0, 3\) — +\| 25\.0 µs \(20\.0–30\.0, 3\) — +\| ×0\.500/,
    );
  });

  it('says in one line which file is missing, not JSON or not a result file', () => {
    writeFileSync(join(dir, 'text.json'), 'figures');
    writeFileSync(join(dir, 'other.json'), '{"name":"emberwatch"}');
    expect(() => readRun(join(dir, 'absent.json'))).toThrow(/absent\.json: cannot read it \(ENOENT\)$/);
    expect(() => readRun(join(dir, 'text.json'))).toThrow(/text\.json: not JSON$/);
    expect(() => readRun(join(dir, 'other.json'))).toThrow(/other\.json: not a benchmark result file/);
  });
});
