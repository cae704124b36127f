import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import { createLogger } from '../../shared/logging.js';
import type { Reading } from '../../shared/schemas/readings.js';
import { bindingSerialLines, SerialSource, systemSerialLines } from '../../edge/sensors/index.js';
import { DEFAULT_KIT, startKit } from '../../simulators/devices/index.js';
import { parseOptions, writeLine, type Command } from '../options.js';

const Options = z.object({
  duration: z.coerce.number().positive().optional(),
});

/** Whether socat (which makes the pseudo-terminal pairs) is on the PATH. */
function hasSocat(): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, 'socat'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A one-line summary of the newest reading of every module. */
function summary(latest: Map<string, Reading>): string {
  const parts: string[] = [];
  for (const reading of latest.values()) {
    switch (reading.protocol) {
      case 'pms5003':
        parts.push(`PM2.5 ${reading.pm25_ugm3} µg/m³`);
        break;
      case 'ze07':
        parts.push(`CO ${reading.co_ppm} ppm`);
        break;
      case 'mhz19b':
        parts.push(`CO₂ ${reading.co2_ppm} ppm`);
        break;
      case 'mcu680':
        parts.push(`${reading.temp_c} °C ${reading.humidity_pct} %RH`);
        break;
      case 'mcu90640':
        parts.push(`thermal max ${Math.max(...reading.pixels_c).toFixed(1)} °C`);
        break;
    }
  }
  return parts.join(' | ');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the whole system on one machine (run by npm start)',
  usage: `emberwatch demo [--duration S]

Starts one emulated module of each kind on its own pseudo-terminal, reads
them back through the edge's serial sources, and prints a line per second
with the newest values until Ctrl-C (or for S seconds).`,
  async run(argv, io) {
    const options = parseOptions('demo', argv, { duration: { type: 'string' } }, Options);
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const logger = createLogger();
    // Real pseudo-terminals when socat is there; otherwise serialport's in-process mock binding, same bytes.
    const transport = hasSocat() ? 'pty' : 'mock';
    if (transport === 'mock')
      logger.warn('socat not found: emulating the serial lines in process instead of on ptys');
    const kit = await startKit(DEFAULT_KIT, { logger, transport });
    const lines = kit.bus === undefined ? systemSerialLines() : bindingSerialLines(kit.bus.binding);
    const latest = new Map<string, Reading>();
    const sources = kit.devices.map(
      (device) =>
        new SerialSource({
          deviceId: 'demo-gateway',
          sensorId: device.id,
          protocol: device.protocol,
          path: device.path,
          baudRate: device.baud,
          logger,
          lines,
        }),
    );
    for (const source of sources) source.on('reading', (reading) => latest.set(reading.sensorId, reading));
    try {
      await Promise.all(sources.map((source) => source.start()));
      for (const device of kit.devices)
        await writeLine(io.stdout, `${device.protocol.padEnd(9)} on ${device.path}`);
      const timer = setInterval(() => {
        if (latest.size > 0) io.stdout.write(`${new Date().toISOString()}  ${summary(latest)}\n`);
      }, 1000);
      const deadline =
        options.duration === undefined
          ? undefined
          : new Promise<void>((resolve) => setTimeout(resolve, (options.duration ?? 0) * 1000));
      await Promise.race([io.stopSignal, ...(deadline === undefined ? [] : [deadline])]);
      clearInterval(timer);
    } finally {
      await Promise.all(sources.map((source) => source.stop()));
      await kit.stop();
    }
    return 0;
  },
};
