import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertFreshBuild } from './fresh-build.js';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What `npm pack --json` says of the tarball. */
export interface PackedPackage {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly size: number;
  readonly unpackedSize: number;
}

/**
 * Packs the repository as `npm pack` does for a release, into `dir`. The
 * build must be fresh (npm test builds first), so the pack skips `prepare`.
 */
export async function packPackage(dir: string): Promise<PackedPackage> {
  assertFreshBuild(['cli', 'cloud', 'shared', 'edge', 'simulators']);
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error(`npm pack printed no package:\n${stdout}`);
  return {
    tarball: join(dir, packed.filename),
    files: packed.files.map((f) => f.path),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
  };
}

/** The environment of the README's install line: onnxruntime-node fetches nothing from outside npm. */
export function installEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
}
