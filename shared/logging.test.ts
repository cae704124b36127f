import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../test/helpers/fresh-build.js';

/** Runs the built logger with `settings` in a process of its own: what it wrote, and its worker threads. */
function logInChild(settings: string): { stderr: string; workers: number } {
  assertFreshBuild(['shared']);
  const script = `
    const { createLogger } = await import(${JSON.stringify(new URL('../dist/shared/logging.js', import.meta.url).href)});
    const log = createLogger(${settings});
    log.child({ component: 'test' }).info({ password: 'hunter2', n: 1 }, 'hello');
    await new Promise((r) => setTimeout(r, 200));
    process.stdout.write(String(process.report.getReport().workers.length));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { stderr: child.stderr, workers: Number(child.stdout) };
}

describe('createLogger', () => {
  it('writes pretty lines in its own thread, secrets redacted', () => {
    const { stderr, workers } = logInChild('{ pretty: true }');
    expect(stderr).toMatch(/INFO \(\d+\): hello/);
    expect(stderr).toContain('component: "test"');
    expect(stderr).toContain('[redacted]');
    expect(stderr).not.toContain('hunter2');
    expect(workers).toBe(0);
  });

  it('writes JSON lines without pino-pretty, secrets redacted', () => {
    const { stderr, workers } = logInChild('{ pretty: false }');
    const line = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', component: 'test', password: '[redacted]', n: 1 });
    expect(workers).toBe(0);
  });
});
