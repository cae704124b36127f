import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateUsage } from '../cli/help/simulate.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { CLI } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

const IMPORT_LOG = fileURLToPath(new URL('./helpers/import-log.js', import.meta.url));

/** Runs the built command line and returns what it printed and every module URL it loaded. */
function runRecordingImports(args: string[]): { code: number | null; stdout: string; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-imports-'));
  try {
    const log = join(dir, 'modules.txt');
    const result = spawnSync(process.execPath, ['--import', IMPORT_LOG, CLI, ...args], {
      env: { ...process.env, EMBERWATCH_IMPORT_LOG: log },
      encoding: 'utf8',
      timeout: 15_000,
    });
    return { code: result.status, stdout: result.stdout, modules: readFileSync(log, 'utf8').split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the command line', () => {
  it('lists every command, and each one it lists loads under its own name and answers --help', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    const names = [...help.stdout.matchAll(/^ {2}(\S+) {2,}\S/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(
      expect.arrayContaining([
        'demo',
        'decode',
        'edge',
        'claim',
        'greengrass-config',
        'cloud',
        'train',
        'evaluate',
        'users',
        'tokens',
      ]),
    );
    expect(names).toHaveLength(20);
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

  it("answers --help and every command's --help without loading any command", () => {
    assertFreshBuild(['cli', 'edge']);
    for (const args of [
      ['--help'],
      ['edge', '--help'],
      ['cloud', '-h'],
      ['train', '--help'],
      ['simulate', 'validate', '--help'],
    ]) {
      const run = runRecordingImports(args);
      expect(run.code, args.join(' ')).toBe(0);
      // The recorder works: the command line's own entry is in the list.
      expect(run.modules.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
      const heavy = run.modules.filter((url) =>
        /\/dist\/(cli\/commands|cloud|simulators|edge\/(?!lean-v8|lean-process))|\/node_modules\//.test(url),
      );
      expect(heavy, args.join(' ')).toEqual([]);
    }
    expect(runRecordingImports(['simulate', 'validate', '--help']).stdout.trim()).toBe(validateUsage);
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
