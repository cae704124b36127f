/**
 * The process settings that keep the gateway agent small, as the systemd
 * unit and the Greengrass recipe set them: glibc's malloc keeps two arenas
 * instead of eight per core, and libuv's thread pool has one thread instead
 * of four (the agent hands it little: SQLite runs on the main thread, the
 * serial ports are polled). Both are read before the first line of
 * JavaScript runs, so a process cannot give them to itself; it can only
 * start again with them.
 */
export const LEAN_ENV = { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '1' } as const;

/**
 * V8 stops tiering at its baseline compiler (Sparkplug): the optimising
 * compilers (Maglev, TurboFan), their zones, feedback and optimised code
 * cost 8–10 MB resident on Node 24, to speed up code the agent runs a few
 * times a second per module. Its per-frame work costs some nine times the
 * CPU without them, yet the whole agent stayed at 0.7 % of a core either
 * way (bench/README.md). A flag V8 reads as it starts, so on the command
 * line; a `--max-opt` the user gives stands.
 */
export const LEAN_V8_FLAGS = ['--max-opt=1'] as const;

/** What the process is and has, as {@link leanRestart} reads it. */
export interface ProcessView {
  readonly env: NodeJS.ProcessEnv;
  readonly execPath: string;
  readonly execArgv: readonly string[];
  /** `process.argv`: the node binary, the script, then the command's own arguments. */
  readonly argv: readonly string[];
  /** Whether this Node can replace its process image (`process.execve`, Node 23.11 and later, POSIX). */
  readonly canExec: boolean;
}

/** The image to start again with the lean settings, or undefined when this process should go on as it is. */
export interface LeanRestart {
  readonly file: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Whether `emberwatch edge` should start again with {@link LEAN_ENV} and
 * {@link LEAN_V8_FLAGS}, and with what: the environment only when neither
 * variable is chosen yet, the flag only when no `--max-opt` is given (a
 * service manager's or the user's choice stands); never for `--help`, nor
 * where the process image cannot be replaced, nor when nothing would change.
 */
export function leanRestart(view: ProcessView): LeanRestart | undefined {
  if (!view.canExec) return undefined;
  const own = view.argv.slice(2);
  if (own.includes('--help') || own.includes('-h')) return undefined;
  const addEnv = !Object.keys(LEAN_ENV).some((name) => view.env[name] !== undefined);
  const addFlags = !view.execArgv.some((arg) => arg === '--max-opt' || arg.startsWith('--max-opt='));
  if (!addEnv && !addFlags) return undefined;
  return {
    file: view.execPath,
    args: [view.execPath, ...(addFlags ? LEAN_V8_FLAGS : []), ...view.execArgv, ...view.argv.slice(1)],
    env: addEnv ? { ...view.env, ...LEAN_ENV } : { ...view.env },
  };
}

/**
 * Replaces the process image once with the lean settings (execve: the same
 * process id, standard streams and signals, so a supervisor sees no
 * difference), before anything is loaded. Call it first thing, and only in
 * a process that runs the agent alone (`bin/emberwatch.js` does for
 * `emberwatch edge`). Returns when there is nothing to do, or when the
 * image cannot be replaced: the agent then runs without the settings.
 */
export function restartLean(): void {
  const restart = leanRestart({
    env: process.env,
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    canExec: typeof process.execve === 'function' && process.platform !== 'win32',
  });
  if (restart === undefined) return;
  try {
    process.execve?.(restart.file, restart.args, restart.env);
  } catch {
    // The image could not be replaced (an emulator without binfmt, a sandbox): run as it is.
  }
}
