import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemSerialLines } from '../edge/sensors/serial-line.js';
import { SerialSource } from '../edge/sensors/serial-source.js';
import { silentLogger } from '../shared/logging.js';
import type { ProtocolName, Reading } from '../shared/schemas/readings.js';
import { DEFAULT_KIT, loadKitFile } from '../simulators/devices/kit.js';
import { startKit, type RunningKit } from '../simulators/devices/start-kit.js';
import { CLEAN_ROOM_VALUES } from '../simulators/devices/value-source.js';
import { waitFor } from './helpers/wait.js';

function socatArgsMentioning(dir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes('socat') && line.includes(dir));
}

describe('device kit on ptys', () => {
  let kit: RunningKit | undefined;
  const sources: SerialSource[] = [];

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
    await kit?.stop();
    kit = undefined;
  });

  function read(device: { id: string; protocol: ProtocolName; path: string; baud: number }): Reading[] {
    const source = new SerialSource({
      deviceId: 'gateway-kit',
      sensorId: device.id,
      protocol: device.protocol,
      path: device.path,
      baudRate: device.baud,
      lines: systemSerialLines(),
      logger: silentLogger(),
      thermalRateHz: 16,
      pollIntervalMs: 100,
    });
    const readings: Reading[] = [];
    source.on('reading', (reading) => readings.push(reading));
    sources.push(source);
    void source.start();
    return readings;
  }

  it('runs the default kit: every module read with clean-room values; stop leaves no socat and no link', async () => {
    kit = await startKit(DEFAULT_KIT, { speed: 10 });
    const runDir = kit.runDir ?? '';
    expect(kit.devices.map((d) => JSON.parse(JSON.stringify(d)) as object)).toEqual(
      DEFAULT_KIT.devices.map((d) => ({
        id: d.id,
        protocol: d.protocol,
        path: join(runDir, `${d.id}.tty`),
        baud: expect.any(Number) as number,
      })),
    );
    expect(kit.devices.find((d) => d.protocol === 'mcu90640')?.baud).toBe(115200);
    expect(socatArgsMentioning(runDir)).toHaveLength(5);
    const readings = new Map(kit.devices.map((device) => [device.protocol, read(device)]));
    await waitFor('a reading from every module', () =>
      [...readings.values()].every((list) => list.length > 0),
    );
    for (const [protocol, list] of readings) {
      expect(list[0]).toMatchObject(
        protocol === 'mcu90640' ? { ambient_c: 25.5 } : CLEAN_ROOM_VALUES[protocol],
      );
    }
    await Promise.all(sources.splice(0).map((source) => source.stop()));
    await kit.stop();
    kit = undefined;
    expect(socatArgsMentioning(runDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
  });

  it('loads a kit file with ramp and hot-spot sources and plays them at the given speed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emberwatch-kitfile-'));
    try {
      const file = join(dir, 'kit.json');
      await writeFile(
        file,
        JSON.stringify({
          devices: [
            {
              id: 'co',
              protocol: 'ze07',
              source: { kind: 'ramp', from: { co_ppm: 0 }, to: { co_ppm: 100 }, durationS: 20 },
            },
            {
              id: 'cam',
              protocol: 'mcu90640',
              source: { kind: 'hot-spot', fromC: 30, toC: 250, durationS: 20 },
            },
          ],
        }),
      );
      kit = await startKit(await loadKitFile(file), { speed: 20, runDir: join(dir, 'run') });
      const [co, cam] = kit.devices.map((device) => read(device));
      await waitFor(
        'the CO ramp near its end',
        () => (co?.at(-1) as { co_ppm?: number } | undefined)?.co_ppm === 100,
        4000,
      );
      await waitFor(
        'the hot spot at its peak',
        () => Math.max(...((cam?.at(-1) as { pixels_c?: number[] } | undefined)?.pixels_c ?? [0])) === 250,
        4000,
      );
      const coValues = (co ?? []).map((r) => (r as { co_ppm: number }).co_ppm);
      expect(coValues[0]).toBeLessThan(50);
      expect(coValues).toEqual([...coValues].sort((a, b) => a - b));
    } finally {
      await kit?.stop();
      kit = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
