import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopDemoOnce } from '../bench/demo-stop.js';
import { assertFreshBuild } from './helpers/fresh-build.js';

/**
 * A terminal's Ctrl-C signals the whole foreground process group: the demo
 * and, before its socat processes had a group of their own, every socat under
 * it, which closed the serial lines under the running agents (a crash on a
 * 'close' without an error, a flood of warnings, a temp folder left behind).
 * Three stops at random moments here, ten in bench/demo-stops.bench.ts.
 */
describe('Ctrl-C of the demo at a random moment', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-demo-stop-'));
    assertFreshBuild(['cli', 'cloud', 'shared', 'edge', 'simulators', 'bench']);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops three times without a stack trace, a warning, a process or a temp file left behind', async () => {
    // Start-up (first moment), the first fire and its pages (the others).
    const moments = [
      Math.round(300 + Math.random() * 2500),
      Math.round(4000 + Math.random() * 8000),
      Math.round(4000 + Math.random() * 8000),
    ];
    for (const afterMs of moments) {
      const stop = await stopDemoOnce({ dataDir: join(dir, 'demo'), afterMs, via: 'node' });
      const where = `Ctrl-C after ${String(afterMs)} ms`;
      expect(stop.stackLines, where).toEqual([]);
      expect(stop.warningsAfterSignal, where).toEqual([]);
      expect(stop.leftoverProcesses, where).toEqual([]);
      expect(stop.leftoverTemp, where).toEqual([]);
      // The signal handler is in place before anything starts: the demo finishes its start and stops.
      expect(stop.exit, where).toEqual({ code: 0, signal: null });
      expect(stop.stdout.trimEnd().split('\n').slice(-2), where).toEqual(['stopping…', 'stopped']);
      if (afterMs >= 4000) expect(stop.started, where).toBe(true);
    }
  }, 120_000);
});
