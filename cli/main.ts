import { isEmberError } from '../shared/errors.js';
import { asksForHelp, exitCodeFor, type Command, type CommandIo } from './options.js';

/** What help says of a command, from `help/NAME.ts`: no module of the command itself. */
interface CommandHelp {
  readonly summary: string;
  readonly usage: string;
  /** Usage of a sub-action that has its own (`simulate validate`). */
  readonly subcommandUsage?: Readonly<Record<string, string>>;
}

/**
 * A subcommand, loaded only when it runs: `edge` must not carry the cloud,
 * training and DuckDB in memory, and help loads no command at all (the
 * list and each `--help` come from the small `help/` modules).
 */
interface LazyCommand {
  readonly name: string;
  help(): Promise<CommandHelp>;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'demo',
    help: () => import('./help/demo.js'),
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'decode',
    help: () => import('./help/decode.js'),
    load: async () => (await import('./commands/decode.js')).decodeCommand,
  },
  {
    name: 'read',
    help: () => import('./help/read.js'),
    load: async () => (await import('./commands/read.js')).readCommand,
  },
  {
    name: 'simulate',
    help: () => import('./help/simulate.js'),
    load: async () => (await import('./commands/simulate.js')).simulateCommand,
  },
  {
    name: 'generate',
    help: () => import('./help/generate.js'),
    load: async () => (await import('./commands/generate.js')).generateCommand,
  },
  {
    name: 'plot',
    help: () => import('./help/plot.js'),
    load: async () => (await import('./commands/plot.js')).plotCommand,
  },
  {
    name: 'features',
    help: () => import('./help/features.js'),
    load: async () => (await import('./commands/features.js')).featuresCommand,
  },
  {
    name: 'query',
    help: () => import('./help/query.js'),
    load: async () => (await import('./commands/query.js')).queryCommand,
  },
  {
    name: 'train',
    help: () => import('./help/train.js'),
    load: async () => (await import('./commands/train.js')).trainCommand,
  },
  {
    name: 'evaluate',
    help: () => import('./help/evaluate.js'),
    load: async () => (await import('./commands/evaluate.js')).evaluateCommand,
  },
  {
    name: 'replay',
    help: () => import('./help/replay.js'),
    load: async () => (await import('./commands/replay.js')).replayCommand,
  },
  {
    name: 'registry',
    help: () => import('./help/registry.js'),
    load: async () => (await import('./commands/registry.js')).registryCommand,
  },
  {
    name: 'provision',
    help: () => import('./help/provision.js'),
    load: async () => (await import('./commands/provision.js')).provisionCommand,
  },
  {
    name: 'claim',
    help: () => import('./help/claim.js'),
    load: async () => (await import('./commands/claim.js')).claimCommand,
  },
  {
    name: 'broker',
    help: () => import('./help/broker.js'),
    load: async () => (await import('./commands/broker.js')).brokerCommand,
  },
  {
    name: 'edge',
    help: () => import('./help/edge.js'),
    load: async () => (await import('./commands/edge.js')).edgeCommand,
  },
  {
    name: 'greengrass-config',
    help: () => import('./help/greengrass-config.js'),
    load: async () => (await import('./commands/greengrass-config.js')).greengrassConfigCommand,
  },
  {
    name: 'cloud',
    help: () => import('./help/cloud.js'),
    load: async () => (await import('./commands/cloud.js')).cloudCommand,
  },
  {
    name: 'users',
    help: () => import('./help/users.js'),
    load: async () => (await import('./commands/users.js')).usersCommand,
  },
  {
    name: 'tokens',
    help: () => import('./help/tokens.js'),
    load: async () => (await import('./commands/tokens.js')).tokensCommand,
  },
];

/** The list of commands with their summaries, from the help modules alone. */
async function usage(): Promise<string> {
  const helps = await Promise.all(COMMANDS.map(async (c) => ({ name: c.name, ...(await c.help()) })));
  const width = Math.max(...helps.map((c) => c.name.length));
  const lines = helps.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
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
  // `emberwatch plot --list | head`: a reader that stops reading ends the command, quietly.
  if (stdout === process.stdout) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? stderr : stdout).write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    stderr.write(`emberwatch: unknown command "${name}" (run emberwatch --help)\n`);
    return 2;
  }
  if (asksForHelp(rest)) {
    const help = await entry.help();
    const action = rest[0];
    const text = (action === undefined ? undefined : help.subcommandUsage?.[action]) ?? help.usage;
    stdout.write(`${text}\n`);
    return 0;
  }
  // Before loading: a Ctrl-C while the command's modules load must stop it too, not kill it half-started.
  const signal = stopSignal(stderr);
  try {
    const command = await entry.load();
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
