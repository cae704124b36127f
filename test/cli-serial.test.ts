import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, jsonLines, runCli } from './helpers/run-cli.js';

interface DeviceLine {
  id: string;
  protocol: string;
  path: string;
  baud: number;
}

describe('emberwatch simulate devices + read, as separate processes on real ptys', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'emberwatch-cli-kit-'));
  const simulator = spawn(process.execPath, [CLI, 'simulate', 'devices', '--run-dir', runDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const devices = new Promise<DeviceLine[]>((resolve) => {
    const seen: DeviceLine[] = [];
    createInterface({ input: simulator.stdout }).on('line', (line) => {
      seen.push(JSON.parse(line) as DeviceLine);
      if (seen.length === 5) resolve(seen);
    });
  });
  const exited = new Promise<number | null>((resolve) => simulator.on('close', resolve));

  afterAll(async () => {
    simulator.kill('SIGINT');
    await exited;
  });

  it('prints one JSON line per device of the default kit with its tty path', async () => {
    const lines = await devices;
    expect(lines.map((d) => d.protocol).sort()).toEqual(['mcu680', 'mcu90640', 'mhz19b', 'pms5003', 'ze07']);
    for (const device of lines) expect(device.path).toBe(join(runDir, `${device.id}.tty`));
    expect(lines.find((d) => d.protocol === 'mcu90640')?.baud).toBe(115200);
  });

  it.each(['mhz19b', 'mcu90640', 'mcu680', 'ze07', 'pms5003'])(
    'reads %s readings from its tty',
    async (protocol) => {
      const device = (await devices).find((d) => d.protocol === protocol);
      if (device === undefined) throw new Error(`no ${protocol} device`);
      const result = await runCli(['read', '--port', device.path, '--protocol', protocol, '--count', '2']);
      expect(result.code).toBe(0);
      const readings = jsonLines(result.stdout);
      expect(readings).toHaveLength(2);
      for (const reading of readings) {
        expect(reading['protocol']).toBe(protocol);
        expect(reading['outOfRange']).toEqual([]);
      }
    },
  );

  it('stops cleanly on SIGINT with exit 0', async () => {
    await devices;
    simulator.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

// The running demo is tested in cli-demo.test.ts.
describe('emberwatch demo', () => {
  it('refuses a bad option with one line, exit 2', async () => {
    const result = await runCli(['demo', '--duration', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--duration/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
