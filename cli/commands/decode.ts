import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { codecFor } from '../../shared/protocols/index.js';
import { ProtocolDecoder, type DecodedFrame } from '../../shared/protocols/protocol-decoder.js';
import { ProtocolName } from '../../shared/schemas/readings.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/decode.js';

const Options = z.object({
  protocol: ProtocolName,
  in: z.string().min(1).optional(),
});

/** The JSON line for one frame: channels at the top level, then what was flagged. */
export function frameLine(frame: DecodedFrame): string {
  return JSON.stringify({ protocol: frame.protocol, ...frame.values, outOfRange: frame.outOfRange });
}

async function openInput(
  path: string | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<NodeJS.ReadableStream> {
  if (path === undefined) return stdin;
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new EmberError(
          'EMBER_ERR_FILE_UNREADABLE',
          `decode: cannot read --in ${path}: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        ),
      ),
    );
  });
  return stream;
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'decode',
      argv,
      { protocol: { type: 'string' }, in: { type: 'string' } },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const decoder = new ProtocolDecoder(codecFor(options.protocol));
    const input = await openInput(options.in, io.stdin);
    try {
      for await (const chunk of input) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const frames = decoder.push(bytes);
        if (frames.length > 0) await writeLine(io.stdout, frames.map(frameLine).join('\n'));
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `decode: reading input failed: ${code}`, {
        cause: error,
      });
    }
    decoder.flush();
    await writeLine(io.stdout, JSON.stringify({ stats: decoder.stats }));
    return 0;
  },
};
