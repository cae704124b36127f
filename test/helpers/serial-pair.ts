import {
  SerialSource,
  type SerialSourceOptions,
  type SerialSourceState,
} from '../../edge/sensors/serial-source.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { CODECS } from '../../shared/protocols/index.js';
import type { ProtocolName, ReadingOf } from '../../shared/schemas/readings.js';
import { createEmulator, type EmulatorByProtocol } from '../../simulators/devices/create-emulator.js';
import { ScaledClock } from '../../simulators/devices/emulator-clock.js';
import type { ValueSource } from '../../simulators/devices/value-source.js';
import type { SerialTestAdapter } from './serial-adapters.js';

export interface SerialPair<P extends ProtocolName> {
  readonly emulator: EmulatorByProtocol[P];
  readonly source: SerialSource<P>;
  readonly readings: ReadingOf<P>[];
  readonly states: SerialSourceState[];
  stop(): Promise<void>;
}

export interface PairOptions<P extends ProtocolName> {
  readonly values?: ValueSource<P>;
  /** Emulator speed factor. */
  readonly speed?: number;
  readonly sourceOptions?: Partial<Omit<SerialSourceOptions<P>, 'protocol' | 'lines' | 'path'>>;
  /** Start only the emulator; call `source.start()` yourself. */
  readonly deferSource?: boolean;
  readonly logger?: Logger;
}

let serial = 0;

/** An emulator on a fresh line of `adapter`, and a SerialSource reading it. */
export async function startPair<P extends ProtocolName>(
  adapter: SerialTestAdapter,
  protocol: P,
  options: PairOptions<P> = {},
): Promise<SerialPair<P>> {
  const id = `${protocol}-${process.pid}-${++serial}`;
  const line = adapter.createLine(id, CODECS[protocol].defaultBaudRate);
  const emulator = createEmulator(protocol, {
    id,
    line,
    clock: new ScaledClock({ speed: options.speed ?? 1 }),
    logger: silentLogger(),
    source: options.values,
  });
  await emulator.start();
  const source = new SerialSource<P>({
    deviceId: 'gateway-test',
    sensorId: id,
    protocol,
    path: line.hostPath,
    lines: adapter.hostLines,
    logger: options.logger ?? silentLogger(),
    backoff: { initialMs: 50, maxMs: 400 },
    ...options.sourceOptions,
  });
  const readings: ReadingOf<P>[] = [];
  const states: SerialSourceState[] = [];
  source.on('reading', (reading) => readings.push(reading));
  source.on('state', (state) => states.push(state));
  if (options.deferSource !== true) await source.start();
  return {
    emulator,
    source,
    readings,
    states,
    async stop() {
      await source.stop();
      await emulator.stop();
    },
  };
}
