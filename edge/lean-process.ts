/**
 * The two process settings that keep the gateway agent small, as the
 * systemd unit and the Greengrass recipe set them: glibc's malloc keeps
 * two arenas instead of eight per core, and libuv's thread pool has one
 * thread instead of four (the agent hands it little: SQLite runs on the
 * main thread, the serial ports are polled). Both are read before the first
 * line of JavaScript runs, so a process cannot give them to itself; it can
 * only start again with them.
 */
export const LEAN_ENV = { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '1' } as const;

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
 * Whether `emberwatch edge` should start again with {@link LEAN_ENV}: not
 * when either setting is already chosen (by a service manager or by the
 * user, whose choice stands), not for `--help`, and not where the process
 * image cannot be replaced.
 */
export function leanRestart(view: ProcessView): LeanRestart | undefined {
  if (!view.canExec) return undefined;
  if (Object.keys(LEAN_ENV).some((name) => view.env[name] !== undefined)) return undefined;
  const own = view.argv.slice(2);
  if (own.includes('--help') || own.includes('-h')) return undefined;
  return {
    file: view.execPath,
    args: [view.execPath, ...view.execArgv, ...view.argv.slice(1)],
    env: { ...view.env, ...LEAN_ENV },
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
    // The image could not be replaced: run as it is. Node 24.22 aborts the process on a failed
    // execve instead of throwing (later releases throw); where the node binary cannot be started
    // again (qemu-user without binfmt), set either variable to skip the restart.
  }
}
