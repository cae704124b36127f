import { z } from 'zod';
import { createLogger } from '../../shared/logging.js';
import { ProtocolName } from '../../shared/schemas/readings.js';
import { systemSerialLines } from '../../edge/sensors/serial-line.js';
import { SerialSource } from '../../edge/sensors/serial-source.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/read.js';

const Options = z.object({
  port: z.string().min(1),
  protocol: ProtocolName,
  baud: z.coerce.number().int().positive().optional(),
  count: z.coerce.number().int().positive().optional(),
});

export const readCommand: Command = {
  name: 'read',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'read',
      argv,
      {
        port: { type: 'string' },
        protocol: { type: 'string' },
        baud: { type: 'string' },
        count: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const logger = createLogger();
    const source = new SerialSource({
      deviceId: 'cli',
      sensorId: options.protocol,
      protocol: options.protocol,
      path: options.port,
      baudRate: options.baud,
      logger,
      lines: systemSerialLines(),
    });
    let remaining = options.count ?? Infinity;
    let pending = Promise.resolve();
    const done = new Promise<void>((resolve) => {
      source.on('reading', (reading) => {
        if (remaining <= 0) return;
        remaining--;
        pending = pending.then(() => writeLine(io.stdout, JSON.stringify(reading)));
        if (remaining <= 0) resolve();
      });
    });
    await source.start();
    try {
      await Promise.race([done, io.stopSignal]);
      await pending;
    } finally {
      await source.stop();
    }
    return 0;
  },
};
