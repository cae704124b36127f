import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSocat } from './socat-path.js';

describe('findSocat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-socat-'));
  const bin = join(dir, 'bin');
  const socat = join(bin, 'socat');
  const other = join(dir, 'my-socat');
  mkdirSync(bin);
  for (const path of [socat, other]) {
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
  }
  writeFileSync(join(dir, 'plain'), 'not a program');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds socat on the PATH wherever it is installed, not only in /usr/bin', () => {
    expect(findSocat(undefined, { PATH: `/nonexistent:${bin}` })).toBe(socat);
    expect(findSocat(undefined, { PATH: '/nonexistent' })).toBeUndefined();
  });

  it('prefers the option, then EMBERWATCH_SOCAT, and refuses a path that cannot run', () => {
    expect(findSocat(other, { PATH: bin })).toBe(other);
    expect(findSocat(undefined, { PATH: bin, EMBERWATCH_SOCAT: other })).toBe(other);
    expect(findSocat('socat', { PATH: bin })).toBe(socat);
    expect(findSocat(join(dir, 'plain'), { PATH: bin })).toBeUndefined();
    expect(findSocat(join(dir, 'missing'), { PATH: bin })).toBeUndefined();
  });
});
