import { isEmberError } from '../shared/errors.js';
import { exitCodeFor, type Command, type CommandIo } from './options.js';

/** A subcommand, loaded only when it runs: `edge` must not carry the cloud, training and DuckDB in memory. */
interface LazyCommand {
  readonly name: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: readonly LazyCommand[] = [
  { name: 'demo', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'decode', load: async () => (await import('./commands/decode.js')).decodeCommand },
  { name: 'read', load: async () => (await import('./commands/read.js')).readCommand },
  { name: 'simulate', load: async () => (await import('./commands/simulate.js')).simulateCommand },
  { name: 'generate', load: async () => (await import('./commands/generate.js')).generateCommand },
  { name: 'plot', load: async () => (await import('./commands/plot.js')).plotCommand },
  { name: 'features', load: async () => (await import('./commands/features.js')).featuresCommand },
  { name: 'query', load: async () => (await import('./commands/query.js')).queryCommand },
  { name: 'train', load: async () => (await import('./commands/train.js')).trainCommand },
  { name: 'evaluate', load: async () => (await import('./commands/evaluate.js')).evaluateCommand },
  { name: 'replay', load: async () => (await import('./commands/replay.js')).replayCommand },
  { name: 'registry', load: async () => (await import('./commands/registry.js')).registryCommand },
  { name: 'provision', load: async () => (await import('./commands/provision.js')).provisionCommand },
  { name: 'claim', load: async () => (await import('./commands/claim.js')).claimCommand },
  { name: 'broker', load: async () => (await import('./commands/broker.js')).brokerCommand },
  { name: 'edge', load: async () => (await import('./commands/edge.js')).edgeCommand },
  {
    name: 'greengrass-config',
    load: async () => (await import('./commands/greengrass-config.js')).greengrassConfigCommand,
  },
  { name: 'cloud', load: async () => (await import('./commands/cloud.js')).cloudCommand },
  { name: 'users', load: async () => (await import('./commands/users.js')).usersCommand },
  { name: 'tokens', load: async () => (await import('./commands/tokens.js')).tokensCommand },
];

/** The list of commands with their summaries (this loads every command; only help needs them all). */
async function usage(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: emberwatch <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `emberwatch <command> --help` for the options of one command.',
  ].join('\n');
}

/** How long a command may take to stop after SIGINT or SIGTERM before the process exits anyway. */
function stopBoundMs(): number {
  const seconds = Number(process.env['EMBERWATCH_STOP_TIMEOUT_S'] ?? '10');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}

/**
 * Resolves on the first SIGINT or SIGTERM, and bounds what follows: if the
 * command has not finished stopping within EMBERWATCH_STOP_TIMEOUT_S (10 s),
 * or a second signal comes, the process exits at once with one line.
 * Supervisors (systemd, a container runtime) expect a signal to end a
 * process, whatever is hanging in it. `dispose` removes the handlers again.
 */
function stopSignal(stderr: NodeJS.WritableStream): { promise: Promise<void>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      const code = signal === 'SIGINT' ? 130 : 143;
      if (stopping) {
        stderr.write(`emberwatch: ${signal} again while stopping; exiting now\n`);
        process.exit(code);
      }
      stopping = true;
      const boundMs = stopBoundMs();
      setTimeout(() => {
        stderr.write(`emberwatch: did not stop within ${boundMs / 1000} s of ${signal}; exiting\n`);
        process.exit(code);
      }, boundMs).unref();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
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
    (name === undefined ? stderr : stdout).write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    stderr.write(`emberwatch: unknown command "${name}" (run emberwatch --help)\n`);
    return 2;
  }
  const command = await entry.load();
  const signal = stopSignal(stderr);
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
