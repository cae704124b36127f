import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bindingSerialLines,
  systemSerialLines,
  type SerialLineFactory,
} from '../../edge/sensors/serial-line.js';
import { silentLogger } from '../../shared/logging.js';
import type { DeviceLine } from '../../simulators/devices/device-line.js';
import { MockDeviceBus } from '../../simulators/devices/mock-device-bus.js';
import { PtyDeviceLine } from '../../simulators/devices/pty-device-line.js';

/** Both ends of serial lines of one kind: device ends for emulators, a port factory for the edge. */
export interface SerialTestAdapter {
  readonly name: string;
  readonly hostLines: SerialLineFactory;
  createLine(id: string, baudRate: number): DeviceLine;
  close(): Promise<void>;
}

/** Real pseudo-terminal pairs (socat), opened by the edge with serialport's native binding. */
export async function ptyAdapter(): Promise<SerialTestAdapter> {
  const runDir = await mkdtemp(join(tmpdir(), 'emberwatch-test-'));
  const lines: DeviceLine[] = [];
  return {
    name: 'pty',
    hostLines: systemSerialLines(),
    createLine(id, baudRate) {
      const line = new PtyDeviceLine({ runDir, id, baudRate, logger: silentLogger() });
      lines.push(line);
      return line;
    },
    async close() {
      await Promise.all(lines.map((line) => line.close()));
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

/** serialport's mock binding, in process. */
export function mockAdapter(): Promise<SerialTestAdapter> {
  const bus = new MockDeviceBus();
  const lines: DeviceLine[] = [];
  return Promise.resolve({
    name: 'mock',
    hostLines: bindingSerialLines(bus.binding, 'mock'),
    createLine(id, baudRate) {
      const line = bus.line(id, baudRate);
      lines.push(line);
      return line;
    },
    async close() {
      await Promise.all(lines.map((line) => line.close()));
    },
  });
}
