import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { MANIFEST_FILE } from '../../shared/model/model-dir.js';
import { systemErrorCode, writeFileAtomically } from '../../shared/object-store/atomic-file.js';

/** One installed model: its folder under versions/ and where it came from (the offer, and its sequence). */
export const SlotEntry = z.object({
  dir: z.string().min(1),
  version: z.string(),
  offerId: z.string(),
  sequence: z.number().int().nonnegative().optional(),
});
export type SlotEntry = z.infer<typeof SlotEntry>;

/**
 * Which installed model runs, which one a rollback returns to, and the
 * sequence of the newest offer ever accepted (offers no higher are replays).
 * A state.json of an older version (newestOfferIssuedAt) reads as sequence 0.
 */
export const SlotState = z.object({
  active: SlotEntry.nullable(),
  previous: SlotEntry.nullable(),
  newestOfferSequence: z.number().int().nonnegative().default(0),
});
export type SlotState = z.infer<typeof SlotState>;

const EMPTY: SlotState = { active: null, previous: null, newestOfferSequence: 0 };
const STATE_FILE = 'state.json';

function installError(message: string, cause: unknown): EmberError {
  return new EmberError('EMBER_ERR_MODEL_INSTALL', message, { cause, retryable: true });
}

/**
 * The models folder on disk:
 *
 *     state.json            { active, previous }, replaced atomically
 *     versions/<dir>/       manifest.json + model file, one folder per installed model
 *     staging/<uuid>/       a download being written; renamed into versions/ when complete
 *
 * A swap is one atomic write of state.json, so after a power cut the device
 * runs either the old or the new model, never a half-written one.
 */
export class ModelSlots {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  dirOf(entry: SlotEntry): string {
    return join(this.root, 'versions', entry.dir);
  }

  /** The saved state; an absent or unreadable state.json means no model (the rules run). */
  async read(): Promise<SlotState> {
    let text: string;
    try {
      text = await readFile(join(this.root, STATE_FILE), 'utf8');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return EMPTY;
      throw installError(`cannot read ${STATE_FILE}`, error);
    }
    try {
      return SlotState.parse(JSON.parse(text));
    } catch {
      return EMPTY;
    }
  }

  async write(state: SlotState): Promise<void> {
    try {
      const text = `${JSON.stringify(state, null, 2)}\n`;
      await writeFileAtomically(join(this.root, STATE_FILE), (tmp) => writeFile(tmp, text));
    } catch (error) {
      throw installError(`cannot write ${STATE_FILE}`, error);
    }
  }

  /**
   * Writes manifest and model into a staging folder, flushes them, and moves
   * the folder into versions/ in one rename. Returns the folder name.
   */
  async install(
    version: string,
    manifestBytes: Uint8Array,
    modelFile: string,
    modelBytes: Uint8Array,
  ): Promise<string> {
    const staging = join(this.root, 'staging', randomUUID());
    const dir = `${version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}-${randomUUID().slice(0, 8)}`;
    try {
      await mkdir(staging, { recursive: true });
      await writeFileAtomically(join(staging, modelFile), (tmp) => writeFile(tmp, modelBytes));
      await writeFileAtomically(join(staging, MANIFEST_FILE), (tmp) => writeFile(tmp, manifestBytes));
      await mkdir(join(this.root, 'versions'), { recursive: true });
      await rename(staging, join(this.root, 'versions', dir));
      return dir;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw installError(`cannot install model ${version} under ${this.root}`, error);
    }
  }

  /** Deletes every installed folder and staging leftover that `state` does not name. */
  async prune(state: SlotState): Promise<void> {
    const keep = new Set([state.active?.dir, state.previous?.dir]);
    await rm(join(this.root, 'staging'), { recursive: true, force: true });
    let dirs: string[];
    try {
      dirs = await readdir(join(this.root, 'versions'));
    } catch {
      return;
    }
    await Promise.all(
      dirs
        .filter((d) => !keep.has(d))
        .map((d) => rm(join(this.root, 'versions', d), { recursive: true, force: true })),
    );
  }
}
