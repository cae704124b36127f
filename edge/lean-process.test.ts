import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LEAN_ENV, leanRestart, type ProcessView } from './lean-process.js';

const view = (over: Partial<ProcessView> = {}): ProcessView => ({
  env: { PATH: '/usr/bin' },
  execPath: '/usr/bin/node',
  execArgv: ['--enable-source-maps'],
  argv: ['/usr/bin/node', '/opt/emberwatch/bin/emberwatch.js', 'edge', '--config', 'gw.yaml'],
  canExec: true,
  ...over,
});

describe('leanRestart', () => {
  it('starts the same command again with both settings, keeping node flags and the environment', () => {
    expect(leanRestart(view())).toEqual({
      file: '/usr/bin/node',
      args: [
        '/usr/bin/node',
        '--enable-source-maps',
        '/opt/emberwatch/bin/emberwatch.js',
        'edge',
        '--config',
        'gw.yaml',
      ],
      env: { PATH: '/usr/bin', ...LEAN_ENV },
    });
  });

  it('leaves a chosen setting alone, skips --help, and does nothing where the image cannot be replaced', () => {
    expect(leanRestart(view({ env: { MALLOC_ARENA_MAX: '4' } }))).toBeUndefined();
    expect(leanRestart(view({ env: { UV_THREADPOOL_SIZE: '8' } }))).toBeUndefined();
    expect(
      leanRestart(view({ argv: ['/usr/bin/node', 'bin/emberwatch.js', 'edge', '--help'] })),
    ).toBeUndefined();
    expect(leanRestart(view({ argv: ['/usr/bin/node', 'bin/emberwatch.js', 'edge', '-h'] }))).toBeUndefined();
    expect(leanRestart(view({ canExec: false }))).toBeUndefined();
  });
});

describe('restartLean', () => {
  it('replaces the running process with one that has the settings, under the same process id', () => {
    const module = new URL('../dist/edge/lean-process.js', import.meta.url).href;
    const script =
      `const { restartLean } = await import(${JSON.stringify(module)});` +
      'console.log(JSON.stringify({ pid: process.pid, arena: process.env.MALLOC_ARENA_MAX ?? null, ' +
      'pool: process.env.UV_THREADPOOL_SIZE ?? null }));' +
      'restartLean();';
    const env = { ...process.env };
    delete env['MALLOC_ARENA_MAX'];
    delete env['UV_THREADPOOL_SIZE'];
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The first image prints without the settings, execs, and the second prints with them.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ arena: null, pool: null });
    expect(lines[1]).toEqual({ pid: lines[0]?.['pid'], arena: '2', pool: '1' });
  });
});
