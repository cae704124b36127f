import { Writable } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CliResult } from './run-cli.js';

function sink(append: (text: string) => void): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      append(chunk.toString());
      done();
    },
  });
}

/**
 * Runs the command line in this process, for invocations refused before
 * anything starts: the same code path as the built CLI without the seconds
 * a child process takes to start.
 */
export async function runInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stopSignal: new Promise<void>(() => undefined),
  });
  return { code, stdout, stderr };
}
