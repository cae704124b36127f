import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeZe07 } from '../shared/protocols/ze07.js';
import { mcu90640 } from '../shared/protocols/mcu90640.js';
import { jsonLines, runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-decode-'));

describe('emberwatch decode', () => {
  it('prints one JSON line per frame with channels at the top level, then the stats', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0x00, 0x13, 0x37]),
      encodeZe07({ co_ppm: 12.3 }, 'active'),
      encodeZe07({ co_ppm: 0.4 }, 'query'),
      Buffer.from([0xff, 0x04]),
    ]);
    const file = join(dir, 'ze07.bin');
    writeFileSync(file, bytes);
    const result = await runCli(['decode', '--protocol', 'ze07', '--in', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(jsonLines(result.stdout)).toEqual([
      { protocol: 'ze07', co_ppm: 12.3, outOfRange: [] },
      { protocol: 'ze07', co_ppm: 0.4, outOfRange: [] },
      { stats: { frames: 2, checksumErrors: 0, droppedBytes: 5 } },
    ]);
  });

  it('reads standard input and prints thermal frames with width, height, pixels and ambient', async () => {
    const frame = mcu90640.encode({
      width: 32,
      height: 24,
      pixels_c: Array.from({ length: 768 }, (_, i) => i / 10 - 20),
      ambient_c: -5,
    });
    const result = await runCli(['decode', '--protocol', 'mcu90640'], Buffer.concat([frame, frame]));
    const lines = jsonLines(result.stdout);
    expect(result.code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ width: 32, height: 24, ambient_c: -5 });
    expect((lines[1]?.['pixels_c'] as number[]).slice(0, 3)).toEqual([-20, -19.9, -19.8]);
    expect(lines[2]).toEqual({ stats: { frames: 2, checksumErrors: 0, droppedBytes: 0 } });
  });

  it('treats garbage as data: exit 0 and every byte counted', async () => {
    const garbage = Buffer.alloc(5000, 0x42);
    const result = await runCli(['decode', '--protocol', 'pms5003'], garbage);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      { stats: { frames: 0, checksumErrors: 0, droppedBytes: 5000 } },
    ]);
  });

  it('refuses an unknown protocol with one line naming the option, exit 2', async () => {
    const result = await runCli(['decode', '--protocol', 'bme999']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--protocol/);
  });

  it('refuses a missing protocol and an unknown flag, exit 2', async () => {
    expect((await runCli(['decode'])).code).toBe(2);
    const unknown = await runCli(['decode', '--protocol', 'ze07', '--speed', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--speed/);
  });

  it('names an unreadable file in one line, exit 1', async () => {
    const missing = join(dir, 'missing.bin');
    const result = await runCli(['decode', '--protocol', 'ze07', '--in', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`emberwatch decode: cannot read --in ${missing}: ENOENT`);
    const directory = await runCli(['decode', '--protocol', 'ze07', '--in', dir]);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toMatch(/EISDIR/);
  });

  it('answers --help with the usage and exit 0; an unknown command exits 2', async () => {
    const help = await runCli(['decode', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--protocol/);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
