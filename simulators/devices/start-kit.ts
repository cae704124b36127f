import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { CODECS } from '../../shared/protocols/index.js';
import type { ProtocolName } from '../../shared/schemas/readings.js';
import { createEmulator } from './create-emulator.js';
import type { DeviceEmulator } from './device-emulator.js';
import type { DeviceLine } from './device-line.js';
import { ScaledClock, type EmulatorClock } from './emulator-clock.js';
import type { KitDescription } from './kit.js';
import { MockDeviceBus } from './mock-device-bus.js';
import { PtyDeviceLine } from './pty-device-line.js';
import { sourceFromSpec } from './source-spec.js';

/** What the edge needs to read one running device. */
export interface KitDeviceInfo {
  readonly id: string;
  readonly protocol: ProtocolName;
  /** The tty path (pty) or bus path (mock) the edge opens. */
  readonly path: string;
  readonly baud: number;
}

export interface StartKitOptions {
  /** 'pty' (default): real pseudo-terminals through socat. 'mock': in process, through `bus`. */
  readonly transport?: 'pty' | 'mock';
  /** Where the tty links go; a fresh temporary directory (removed on stop) when absent. */
  readonly runDir?: string;
  /** Simulated seconds per real second; ignored when `clock` is given. */
  readonly speed?: number;
  readonly clock?: EmulatorClock;
  readonly logger?: Logger;
  readonly socatPath?: string;
  /** The in-process bus of the mock transport; a new one when absent. */
  readonly bus?: MockDeviceBus;
}

export interface RunningKit {
  readonly devices: readonly KitDeviceInfo[];
  /** Directory of the tty links (pty transport). */
  readonly runDir: string | undefined;
  /** The bus to hand to the edge (mock transport). */
  readonly bus: MockDeviceBus | undefined;
  /** The emulator behind device `id`, for fault injection. */
  emulator(id: string): DeviceEmulator<ProtocolName>;
  /** Stops every emulator, kills every socat and removes what start created. */
  stop(): Promise<void>;
}

/** Starts every device of `kit`; on failure stops what it had started and rethrows. */
export async function startKit(kit: KitDescription, options: StartKitOptions = {}): Promise<RunningKit> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'device-kit' });
  const clock = options.clock ?? new ScaledClock({ speed: options.speed ?? 1 });
  const transport = options.transport ?? 'pty';
  const bus = transport === 'mock' ? (options.bus ?? new MockDeviceBus()) : undefined;
  let runDir: string | undefined;
  let ownsRunDir = false;
  if (transport === 'pty') {
    if (options.runDir === undefined) {
      runDir = await mkdtemp(join(tmpdir(), 'emberwatch-kit-'));
      ownsRunDir = true;
    } else {
      runDir = options.runDir;
      await mkdir(runDir, { recursive: true });
    }
  }
  const emulators = new Map<string, DeviceEmulator<ProtocolName>>();
  const devices: KitDeviceInfo[] = [];

  const stop = async (): Promise<void> => {
    await Promise.all([...emulators.values()].map((emulator) => emulator.stop()));
    emulators.clear();
    if (ownsRunDir && runDir !== undefined) await rm(runDir, { recursive: true, force: true });
  };

  try {
    for (const device of kit.devices) {
      const baud = device.baud ?? CODECS[device.protocol].defaultBaudRate;
      const line: DeviceLine =
        bus !== undefined
          ? bus.line(device.id, baud)
          : new PtyDeviceLine({
              runDir: runDir ?? '',
              id: device.id,
              baudRate: baud,
              socatPath: options.socatPath,
              logger,
            });
      const emulator = createEmulator(device.protocol, {
        id: device.id,
        line,
        clock,
        logger,
        source: sourceFromSpec(device.protocol, device.source),
      });
      emulators.set(device.id, emulator);
      await emulator.start();
      devices.push({ id: device.id, protocol: device.protocol, path: line.hostPath, baud });
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    devices,
    runDir,
    bus,
    emulator(id) {
      const emulator = emulators.get(id);
      if (emulator === undefined) throw new EmberError('EMBER_ERR_NOT_STARTED', `no running device "${id}"`);
      return emulator;
    },
    stop,
  };
}
