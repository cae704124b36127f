import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { storeShortRun } from './helpers/stored-run.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function checkPng(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(path);
  expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  const { width, height, format } = await sharp(bytes).metadata();
  expect(format).toBe('png');
  // The chart (1200 px, nine panels) with the thermal frame beside it.
  expect(width).toBeGreaterThan(1400);
  expect(width).toBeLessThan(2400);
  expect(height).toBeGreaterThan(1000);
  expect(height).toBeLessThan(2000);
  return { width, height };
}

describe('emberwatch plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-plot-'));
  const data = join(dir, 'dataset');

  beforeAll(async () => {
    await storeShortRun(data, 'run-000007', { template: 'toast', durationS: 300 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plots a template simulated on the fly and prints where and how big', async () => {
    const out = join(dir, 'tf4.png');
    const result = await runCli(['plot', 'tf4', '--seed', '2', '--out', out], undefined, 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const size = await checkPng(out);
    expect(jsonLines(result.stdout)).toEqual([{ out, ...size }]);
  });

  it('lists the run ids a dataset has for plot, and the templates without one', async () => {
    await storeShortRun(data, 'run-000008', { template: 'tf4', durationS: 300 });
    const listed = await runInProcess(['plot', '--list', '--data', data]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^run-000007 {2}nuisance \(toast\), toast$/),
      expect.stringMatching(/^run-000008 {2}fire \(\S+\), tf4$/),
    ]);
    const templates = await runInProcess(['plot', '--list']);
    expect(templates.stdout.split('\n')).toEqual(expect.arrayContaining(['tf4', 'toast']));
    const empty = await runInProcess(['plot', '--list', '--data', join(dir, 'nothing')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^emberwatch plot: no validated runs in /);
  });

  it('plots a run of a dataset folder', async () => {
    const out = join(dir, 'run.png');
    const result = await runCli(['plot', 'run-000007', '--data', data, '--out', out], undefined, 30_000);
    expect(result.code).toBe(0);
    await checkPng(out);
  });

  it.concurrent.each([
    [['plot', 'run-404', '--data', '.', '--out', 'x.png'], 1, /^emberwatch plot: run run-404 is not in /],
    [
      ['plot', 'run-000007', '--data', '<data>', '--out', '/no/such/folder/x.png'],
      1,
      /^emberwatch plot: cannot write --out .*ENOENT/,
    ],
  ])('the built CLI refuses %j with one line, exit %i', async (args, code, message) => {
    const result = await runCli(
      args.map((arg) => (arg === '<data>' ? data : arg)),
      undefined,
      30_000,
    );
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each([
    [
      ['plot', 'no-such-template', '--out', 'x.png'],
      2,
      /^emberwatch plot: unknown scenario "no-such-template"/,
    ],
    [['plot', 'tf4', '--out', 'chart.svg'], 2, /--out: must name a \.png file/],
    [['plot', '--out', 'x.png'], 2, /plot: expected RUN before the options/],
  ])('refuses %j with one line, exit %i', async (args, code, message) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
