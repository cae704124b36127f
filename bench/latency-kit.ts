import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../shared/logging.js';
import { CODECS } from '../shared/protocols/index.js';
import type { ChannelsByProtocol, ProtocolName } from '../shared/schemas/readings.js';
import { createEmulator } from '../simulators/devices/create-emulator.js';
import type { DeviceEmulator } from '../simulators/devices/device-emulator.js';
import { ScaledClock } from '../simulators/devices/emulator-clock.js';
import { PtyDeviceLine } from '../simulators/devices/pty-device-line.js';
import type { KitDeviceInfo } from '../simulators/devices/start-kit.js';
import { renderThermalScene } from '../simulators/devices/thermal-scene.js';
import { CLEAN_ROOM_VALUES, type ValueSource } from '../simulators/devices/value-source.js';

/**
 * Five emulated modules (one of each, the camera at 4 Hz) on real ptys,
 * each sending clean-room values until `ignite()`, then a flaming fire's at
 * once: dense smoke, 20 ppm CO, 1,500 ppm CO₂ and a 150 °C spot in the
 * camera's view, the room's air temperature unchanged (so the heat floors
 * stay quiet and the model raises the alarm). Every frame a module writes is
 * timed, per module.
 */
const HOT: { readonly [P in ProtocolName]?: Partial<ChannelsByProtocol[P]> } = {
  pms5003: {
    pm1_cf1_ugm3: 300,
    pm25_cf1_ugm3: 500,
    pm10_cf1_ugm3: 600,
    pm1_ugm3: 300,
    pm25_ugm3: 500,
    pm10_ugm3: 600,
    n0_3_per_dl: 30_000,
    n0_5_per_dl: 20_000,
    n1_0_per_dl: 5_000,
  },
  ze07: { co_ppm: 20 },
  mhz19b: { co2_ppm: 1500 },
};
const HOT_FRAME = renderThermalScene({
  backgroundC: 21,
  ambientC: 25.5,
  hotSpot: { x: 16, y: 12, radius: 3, tempC: 150 },
});
const PROTOCOLS: readonly ProtocolName[] = ['pms5003', 'ze07', 'mhz19b', 'mcu90640', 'mcu680'];

export interface LatencyKit {
  readonly devices: readonly KitDeviceInfo[];
  /** performance.now() of every frame each module wrote, by device id (= protocol). */
  readonly written: ReadonlyMap<string, number[]>;
  /** From the next frame on, every module sends the fire's values. */
  ignite(): void;
  /** Back to clean-room values. */
  extinguish(): void;
  stop(): Promise<void>;
}

export async function startLatencyKit(): Promise<LatencyKit> {
  const runDir = mkdtempSync(join(tmpdir(), 'emberwatch-latency-kit-'));
  const logger = silentLogger();
  const clock = new ScaledClock({ speed: 1 });
  let hot = false;
  const written = new Map<string, number[]>();
  const emulators: DeviceEmulator<ProtocolName>[] = [];
  const devices: KitDeviceInfo[] = [];
  const sourceOf = <P extends ProtocolName>(protocol: P): ValueSource<P> => ({
    valueAt: () => {
      if (!hot) return CLEAN_ROOM_VALUES[protocol];
      if (protocol === 'mcu90640') return HOT_FRAME as ChannelsByProtocol[P];
      return { ...CLEAN_ROOM_VALUES[protocol], ...HOT[protocol] };
    },
  });
  try {
    for (const protocol of PROTOCOLS) {
      const baudRate = CODECS[protocol].defaultBaudRate;
      const line = new PtyDeviceLine({ runDir, id: protocol, baudRate, logger });
      const emulator = createEmulator(protocol, {
        id: protocol,
        line,
        clock,
        logger,
        source: sourceOf(protocol),
      });
      const times: number[] = [];
      written.set(protocol, times);
      emulator.on('frame', () => times.push(performance.now()));
      emulators.push(emulator);
      await emulator.start();
      devices.push({ id: protocol, protocol, path: line.hostPath, baud: baudRate });
    }
  } catch (error) {
    await Promise.all(emulators.map((e) => e.stop()));
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return {
    devices,
    written,
    ignite: () => (hot = true),
    extinguish: () => (hot = false),
    stop: async () => {
      await Promise.all(emulators.map((e) => e.stop()));
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
