import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, jsonLines, runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { storeShortRun } from './helpers/stored-run.js';

const PROTOCOLS = ['mcu680', 'mcu90640', 'mhz19b', 'pms5003', 'ze07'];

describe('emberwatch simulate devices --scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-playback-cli-'));

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plays a template on ptys, printing one line per device, until Ctrl-C', async () => {
    const runDir = join(dir, 'tf4');
    const child = spawn(
      process.execPath,
      [CLI, 'simulate', 'devices', '--scenario', 'tf4', '--speed', '20', '--run-dir', runDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines: Record<string, unknown>[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        if (lines.length === 5) resolve();
      });
    });
    try {
      expect(lines.map((d) => d['protocol']).sort()).toEqual(PROTOCOLS);
      for (const device of lines) {
        expect(device['path']).toBe(join(runDir, `${String(device['id'])}.tty`));
        expect(existsSync(String(device['path']))).toBe(true);
      }
      const co = lines.find((d) => d['protocol'] === 'ze07');
      const read = await runCli([
        'read',
        '--port',
        String(co?.['path']),
        '--protocol',
        'ze07',
        '--count',
        '3',
      ]);
      expect(read.code).toBe(0);
      expect(jsonLines(read.stdout).map((r) => typeof r['co_ppm'])).toEqual(['number', 'number', 'number']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('plays a stored run to its end, then prints {"ended":true} and exits 0', async () => {
    const data = join(dir, 'dataset');
    await storeShortRun(data, 'run-000042', { durationS: 40 });
    const result = await runCli(
      ['simulate', 'devices', '--scenario', 'run-000042', '--data', data, '--speed', '40'],
      undefined,
      15_000,
    );
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(
      lines
        .slice(0, 5)
        .map((d) => d['protocol'])
        .sort(),
    ).toEqual(PROTOCOLS);
    expect(lines.slice(5)).toEqual([{ ended: true }]);
  });

  it.each([
    [['--scenario', 'no-such-template'], 2, /unknown scenario "no-such-template"/],
    [['--scenario', 'tf4', '--kit', 'kit.json'], 2, /--scenario: cannot be combined with --kit/],
    [['--seed', '4'], 2, /--seed: only applies with --scenario/],
    [['--scenario', 'run-missing', '--data', '.'], 1, /run run-missing is not in/],
  ])('refuses %j with one line, exit %i', async (args, code, message) => {
    const result = await runInProcess(['simulate', 'devices', ...args]);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
