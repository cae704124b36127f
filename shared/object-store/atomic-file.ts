import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Names of files being written end with this; listings skip them and keys may not use it. */
export const TEMP_SUFFIX = '.ember-tmp';

const MKDIR_ATTEMPTS = 3;

/** The errno code of a Node.js system error ('ENOENT'), if it is one. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// The rename itself lives in the directory entry; without this a power cut can forget it.
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  await syncPath(directory);
}

/**
 * Writes `target` so that it holds either its old content or the complete new
 * content, even after a crash or power cut: `produce` fills a temporary file in
 * the same folder (so the rename cannot cross file systems), which is flushed
 * to disk and then renamed over the target. Creates missing folders.
 */
export async function writeFileAtomically(
  target: string,
  produce: (temporaryPath: string) => Promise<void>,
): Promise<void> {
  const directory = dirname(target);
  const temporary = join(directory, `.${randomUUID()}${TEMP_SUFFIX}`);
  for (let attempt = 1; ; attempt += 1) {
    await mkdir(directory, { recursive: true });
    try {
      await produce(temporary);
      break;
    } catch (error) {
      await rm(temporary, { force: true });
      // A concurrent delete may prune the folder between mkdir and the write.
      const folderVanished = systemErrorCode(error) === 'ENOENT' && !(await isDirectory(directory));
      if (!folderVanished || attempt >= MKDIR_ATTEMPTS) throw error;
    }
  }
  try {
    await syncPath(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Whether a file name is a temporary file of {@link writeFileAtomically}. */
export function isTemporaryName(name: string): boolean {
  return basename(name).endsWith(TEMP_SUFFIX);
}
