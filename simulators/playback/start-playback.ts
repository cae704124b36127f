import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { CODECS } from '../../shared/protocols/index.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../../shared/schemas/readings.js';
import { createEmulator } from '../devices/create-emulator.js';
import type { DeviceEmulator } from '../devices/device-emulator.js';
import { ScaledClock, type Cancel } from '../devices/emulator-clock.js';
import { PtyDeviceLine } from '../devices/pty-device-line.js';
import type { KitDeviceInfo } from '../devices/start-kit.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { playbackSource } from './playback-source.js';

export interface StartPlaybackOptions {
  /** Emulated seconds per real second (default 1). */
  readonly speed?: number;
  /** Where the tty links go; a fresh temporary directory (removed on stop) when absent. */
  readonly runDir?: string;
  readonly logger?: Logger;
  readonly socatPath?: string;
}

/** A run being played through one emulator per module, each on its own pseudo-terminal. */
export interface RunningPlayback {
  /** One device per protocol, its id the protocol name. */
  readonly devices: readonly KitDeviceInfo[];
  readonly runDir: string;
  readonly durationS: number;
  readonly speed: number;
  /** Emulated seconds since the playback began (every line was up by then). */
  now(): number;
  /** Resolves once emulated time passes the end of the run; the modules are silent from then on. */
  readonly ended: Promise<void>;
  /** Stops every emulator, kills every socat and removes what start created. */
  stop(): Promise<void>;
}

/**
 * Plays `trace` through the device emulators so that a host reading the ttys
 * sees the bytes it would have seen in that room: at emulated time
 * t = speed × real seconds since the start, each module sends what the trace
 * says it reported at t. The clock starts once every line is open, so a slow
 * socat start-up does not eat the beginning of the run.
 */
export async function startPlayback(
  trace: RunTrace,
  options: StartPlaybackOptions = {},
): Promise<RunningPlayback> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'playback' });
  // Real time stands still at 0 until every line is up; then the run starts.
  const began: { ms?: number } = {};
  const clock = new ScaledClock({
    speed: options.speed ?? 1,
    realNowMs: () => (began.ms === undefined ? 0 : performance.now() - began.ms),
  });
  const ownsRunDir = options.runDir === undefined;
  const runDir = options.runDir ?? (await mkdtemp(join(tmpdir(), 'emberwatch-playback-')));
  if (!ownsRunDir) await mkdir(runDir, { recursive: true });

  const emulators: DeviceEmulator<ProtocolName>[] = [];
  let cancelEnd: Cancel = () => undefined;
  const stop = async (): Promise<void> => {
    cancelEnd();
    await Promise.all(emulators.splice(0).map((emulator) => emulator.stop()));
    if (ownsRunDir) await rm(runDir, { recursive: true, force: true });
  };

  const devices: KitDeviceInfo[] = [];
  try {
    for (const protocol of PROTOCOL_NAMES) {
      const baud = CODECS[protocol].defaultBaudRate;
      const line = new PtyDeviceLine({
        runDir,
        id: protocol,
        baudRate: baud,
        socatPath: options.socatPath,
        logger,
      });
      const emulator = createEmulator<ProtocolName>(protocol, {
        id: protocol,
        line,
        clock,
        logger,
        source: playbackSource(trace, protocol),
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
  const ended = new Promise<void>((resolve) => {
    cancelEnd = clock.after(trace.duration_s, resolve);
  });
  logger.info({ durationS: trace.duration_s, speed: clock.speed, runDir }, 'playback started');
  return {
    devices,
    runDir,
    durationS: trace.duration_s,
    speed: clock.speed,
    now: () => clock.now(),
    ended,
    stop,
  };
}
