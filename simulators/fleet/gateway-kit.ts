import { performance } from 'node:perf_hooks';
import type { Logger } from '../../shared/logging.js';
import { CODECS } from '../../shared/protocols/index.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../../shared/schemas/readings.js';
import { createEmulator } from '../devices/create-emulator.js';
import type { DeviceEmulator } from '../devices/device-emulator.js';
import type { DeviceLine } from '../devices/device-line.js';
import { ScaledClock } from '../devices/emulator-clock.js';
import type { MockDeviceBus } from '../devices/mock-device-bus.js';
import { PtyDeviceLine } from '../devices/pty-device-line.js';
import type { KitDeviceInfo } from '../devices/start-kit.js';
import type { GatewayTimeline } from './gateway-timeline.js';

export interface GatewayKitOptions {
  /** Emulated seconds per real second. */
  readonly speed: number;
  /** 'pty': one socat pair per module under `runDir`; 'mock': lines on `bus`. */
  readonly transport:
    | { readonly kind: 'pty'; readonly runDir: string }
    | { readonly kind: 'mock'; readonly bus: MockDeviceBus };
  readonly logger: Logger;
  readonly socatPath?: string;
}

/** A gateway's five emulated modules playing its timeline. */
export interface RunningGatewayKit {
  readonly devices: readonly KitDeviceInfo[];
  /** Emulated seconds since every line was up (0 until then). */
  now(): number;
  /** Wall time (epoch ms) at which emulated time 0 began. */
  readonly startedAtMs: number;
  /** Stops every emulator and, on ptys, every socat. */
  stop(): Promise<void>;
}

/**
 * Starts one emulator per module for `timeline`'s gateway, each on its own
 * line, with ids `<gateway>-<protocol>`. As in playback, the clock starts
 * once every line is open, so a slow socat start does not eat the opening.
 */
export async function startGatewayKit(
  timeline: GatewayTimeline,
  options: GatewayKitOptions,
): Promise<RunningGatewayKit> {
  const logger = options.logger.child({ component: 'gateway-kit', gatewayId: timeline.gateway.id });
  const began: { ms?: number } = {};
  const clock = new ScaledClock({
    speed: options.speed,
    realNowMs: () => (began.ms === undefined ? 0 : performance.now() - began.ms),
  });
  const emulators: DeviceEmulator<ProtocolName>[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(emulators.splice(0).map((emulator) => emulator.stop()));
  };
  const devices: KitDeviceInfo[] = [];
  try {
    for (const protocol of PROTOCOL_NAMES) {
      const id = `${timeline.gateway.id}-${protocol}`;
      const baud = CODECS[protocol].defaultBaudRate;
      const { transport } = options;
      const line: DeviceLine =
        transport.kind === 'mock'
          ? transport.bus.line(id, baud)
          : new PtyDeviceLine({
              runDir: transport.runDir,
              id,
              baudRate: baud,
              socatPath: options.socatPath,
              logger,
            });
      const emulator = createEmulator<ProtocolName>(protocol, {
        id,
        line,
        clock,
        logger,
        source: timeline.source(protocol),
      });
      emulators.push(emulator);
      await emulator.start();
      devices.push({ id: protocol, protocol, path: line.hostPath, baud });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  began.ms = performance.now();
  const startedAtMs = Date.now();
  logger.debug({ speed: options.speed, devices: devices.length }, 'gateway kit started');
  return { devices, now: () => clock.now(), startedAtMs, stop };
}
