import { isEmberError } from '../shared/errors.js';
import { brokerCommand } from './commands/broker.js';
import { cloudCommand } from './commands/cloud.js';
import { decodeCommand } from './commands/decode.js';
import { edgeCommand } from './commands/edge.js';
import { demoCommand } from './commands/demo.js';
import { featuresCommand } from './commands/features.js';
import { evaluateCommand } from './commands/evaluate.js';
import { plotCommand } from './commands/plot.js';
import { generateCommand } from './commands/generate.js';
import { provisionCommand } from './commands/provision.js';
import { trainCommand } from './commands/train.js';
import { queryCommand } from './commands/query.js';
import { registryCommand } from './commands/registry.js';
import { readCommand } from './commands/read.js';
import { replayCommand } from './commands/replay.js';
import { simulateCommand } from './commands/simulate.js';
import { exitCodeFor, type Command, type CommandIo } from './options.js';

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: readonly Command[] = [
  demoCommand,
  decodeCommand,
  readCommand,
  simulateCommand,
  generateCommand,
  plotCommand,
  featuresCommand,
  queryCommand,
  trainCommand,
  evaluateCommand,
  replayCommand,
  registryCommand,
  provisionCommand,
  brokerCommand,
  edgeCommand,
  cloudCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: emberwatch <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `emberwatch <command> --help` for the options of one command.',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the handlers again. */
function stopSignal(): { promise: Promise<void>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    const onSignal = (): void => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { promise, dispose };
}

/**
 * The command line's composition root: picks the subcommand, runs it, and
 * turns any failure into one line on standard error and an exit code.
 */
export async function main(argv: string[], io?: Partial<CommandIo>): Promise<number> {
  const [name, ...rest] = argv;
  const stderr = io?.stderr ?? process.stderr;
  const stdout = io?.stdout ?? process.stdout;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? stderr : stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    stderr.write(`emberwatch: unknown command "${name}" (run emberwatch --help)\n`);
    return 2;
  }
  const signal = stopSignal();
  try {
    return await command.run(rest, {
      stdin: io?.stdin ?? process.stdin,
      stdout,
      stderr,
      stopSignal: io?.stopSignal ?? signal.promise,
    });
  } catch (error) {
    const message = isEmberError(error) ? error.message : `${name}: ${String(error)}`;
    stderr.write(`emberwatch ${message.split('\n')[0] ?? ''}\n`);
    return exitCodeFor(error);
  } finally {
    signal.dispose();
  }
}
