import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, unlink } from 'node:fs/promises';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import { findSocat } from './socat-path.js';

export interface PtyPairOptions {
  /** Stable symlink to the end the emulator opens. */
  readonly devicePath: string;
  /** Stable symlink to the end the edge opens. */
  readonly hostPath: string;
  /** The socat to run; by default EMBERWATCH_SOCAT or the first socat on the PATH (see findSocat). */
  readonly socatPath?: string;
  readonly logger: Logger;
  /** How long to wait for both links, ms. */
  readonly readyTimeoutMs?: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function removeLink(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Two connected pseudo-terminals made by socat, reachable through stable
 * symlinks. Stopping the pair closes both masters, which the side holding a
 * slave open sees as a disconnect; starting it again brings the same paths back.
 */
export class PtyPair {
  readonly #options: PtyPairOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #killOnExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  constructor(options: PtyPairOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Spawns socat and resolves once both links exist; rejects with EMBER_ERR_PTY. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    const { devicePath, hostPath, logger } = this.#options;
    // A link left by a killed run would look ready before socat made the new one.
    await Promise.all([removeLink(devicePath), removeLink(hostPath)]);
    // A name spawn looks up itself when nothing is found, so the error names what was run.
    const socat = findSocat(this.#options.socatPath) ?? this.#options.socatPath ?? 'socat';
    const child = spawn(
      socat,
      ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        // Its own process group: a Ctrl-C at the terminal reaches the process that owns the pair,
        // which stops the readers first and then socat, rather than socat dying under them.
        detached: true,
      },
    );
    this.#child = child;
    process.once('exit', this.#killOnExit);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    let exitCode: number | null | undefined;
    let spawnError: Error | undefined;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      });
      child.once('error', (error) => {
        spawnError = error;
        exitCode = null;
        resolve();
      });
    });
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? 5000);
    while (!((await exists(devicePath)) && (await exists(hostPath)))) {
      if (exitCode !== undefined || Date.now() > deadline) {
        await this.stop();
        const why =
          spawnError?.message ?? (exitCode === undefined ? 'timed out' : `socat exited (${exitCode})`);
        throw new EmberError('EMBER_ERR_PTY', `no pty pair at ${hostPath}: ${why}; ${stderr.trim()}`, {
          cause: spawnError,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    logger.debug({ hostPath, devicePath, pid: child.pid }, 'pty pair up');
  }

  /** Kills socat (TERM, then KILL after a second) and removes the links. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined) {
      this.#child = undefined;
      process.off('exit', this.#killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 1000);
        await this.#exited;
        clearTimeout(force);
      }
      child.stderr?.destroy();
    }
    await Promise.all([removeLink(this.#options.devicePath), removeLink(this.#options.hostPath)]);
  }
}
