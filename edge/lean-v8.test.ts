import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Runs a hot loop in a fresh node with V8 tracing its optimisations, after leanV8() or without it. */
function hotLoopTrace(lean: boolean): string {
  const module = new URL('../dist/edge/lean-v8.js', import.meta.url).href;
  const script =
    (lean ? `const { leanV8 } = await import(${JSON.stringify(module)}); leanV8();` : '') +
    'function work(x) { let s = 0; for (let i = 0; i < 1000; i++) s += i * x; return s; }' +
    'let total = 0; for (let i = 0; i < 200000; i++) total += work(i);' +
    "console.log(total > 0 ? 'done' : 'wrong');";
  const run = spawnSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return run.stdout;
}

const OPTIMISED = /for optimization to (MAGLEV|TURBOFAN)/;

describe('leanV8', () => {
  it('keeps hot code at the baseline compiler, where V8 would otherwise optimise it', () => {
    expect(hotLoopTrace(false)).toMatch(OPTIMISED);
    expect(hotLoopTrace(true)).not.toMatch(OPTIMISED);
  });
});
