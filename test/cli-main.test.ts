import { describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/run-in-process.js';

describe('the command line', () => {
  it('lists every command, and each one it lists loads under its own name and answers --help', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    const names = [...help.stdout.matchAll(/^ {2}(\S+) {2,}\S/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(
      expect.arrayContaining(['demo', 'decode', 'edge', 'cloud', 'train', 'evaluate', 'users', 'tokens']),
    );
    expect(names).toHaveLength(18);
    for (const name of names) {
      const own = await runInProcess([name, '--help']);
      expect(own.code, name).toBe(0);
      expect(own.stdout, name).toContain(`emberwatch ${name}`);
    }
  });

  it.each([
    [['generate', '--out', 'x', '--seed', '1'], 'emberwatch generate: --runs: is required'],
    [['train', '--data', 'x'], 'emberwatch train: --out: is required'],
    [
      ['generate', '--out', 'x', '--runs', '-3', '--seed', '1'],
      'emberwatch generate: --runs: Too small: expected number to be >0 (got -3)',
    ],
    [
      ['generate', '--out', 'x', '--runs', 'abc', '--seed', '1'],
      'emberwatch generate: --runs: "abc" is not a number',
    ],
    [['demo', '--port', '-1'], 'emberwatch demo: --port: Too small: expected number to be >=0 (got -1)'],
  ])('says which option is wrong and how: %j', async (args, line) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([line]);
  });

  it('refuses an unknown command with one line and exit 2, and no command with the usage', async () => {
    const unknown = await runInProcess(['nonsense']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([
      'emberwatch: unknown command "nonsense" (run emberwatch --help)',
    ]);
    const none = await runInProcess([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: emberwatch <command>/);
  });
});
