import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../shared/logging.js';

const CHUNK_BYTES = 64 * 1024;

/** Free space a restore leaves besides the reserve itself, so that taking it back never fills the disk. */
const RESTORE_HEADROOM_BYTES = 1024 * 1024;

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * Disk space held for alarms and anomalies: a file of `bytes` real blocks
 * beside the outbox database, on the same filesystem. When the disk fills
 * up (another program's logs, say) and SQLite cannot grow its write-ahead
 * log or database for an alarm, the outbox deletes this file and tries
 * again: an alarm is stored whenever any message could be.
 *
 * The file holds random bytes, written and fsynced: a file made by
 * truncate() is sparse and a file of zeros may be compressed away, and
 * either would hold no space. Synchronous like the rest of the outbox; a
 * restore first asks statfs whether the space is there, so it never writes
 * half a reserve onto a full disk.
 */
export class SpaceReserve {
  readonly #path: string;
  readonly #bytes: number;
  readonly #log: Logger;

  constructor(path: string, bytes: number, log: Logger) {
    this.#path = path;
    this.#bytes = bytes;
    this.#log = log;
  }

  /** The reserve file. */
  get path(): string {
    return this.#path;
  }

  /** True when the reserve is in place, or when there is none to keep (0 bytes). */
  get held(): boolean {
    if (this.#bytes === 0) return true;
    try {
      return statSync(this.#path).size >= this.#bytes;
    } catch {
      return false;
    }
  }

  /**
   * Puts the reserve in place if it is not: only when the filesystem has
   * room for it and some more. Returns whether it is held now.
   */
  restore(): boolean {
    if (this.held) return true;
    try {
      const { bavail, bsize } = statfsSync(dirname(this.#path));
      if (bavail * bsize < this.#bytes + RESTORE_HEADROOM_BYTES) return false;
    } catch (error) {
      this.#log.warn(
        { reason: codeOf(error), path: this.#path },
        'cannot tell the free space for the reserve',
      );
      return false;
    }
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let fd: number | undefined;
    try {
      fd = openSync(this.#path, 'w', 0o600);
      for (let written = 0; written < this.#bytes;) {
        randomFillSync(chunk);
        written += writeSync(fd, chunk, 0, Math.min(CHUNK_BYTES, this.#bytes - written));
      }
      fsyncSync(fd);
      const size = fstatSync(fd).size;
      closeSync(fd);
      fd = undefined;
      if (size < this.#bytes) throw Object.assign(new Error('short reserve'), { code: 'ENOSPC' });
      this.#log.info({ bytes: this.#bytes, path: this.#path }, 'disk space reserved for alarms');
      return true;
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      this.#unlink();
      this.#log.warn({ reason: codeOf(error), path: this.#path }, 'could not reserve disk space for alarms');
      return false;
    }
  }

  /** Deletes the reserve, freeing its space; returns whether there was one to free. */
  release(): boolean {
    if (this.#bytes === 0) return false;
    const had = this.held;
    this.#unlink();
    return had;
  }

  #unlink(): void {
    try {
      unlinkSync(this.#path);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') {
        this.#log.error({ reason: codeOf(error), path: this.#path }, 'could not delete the reserve file');
      }
    }
  }
}
