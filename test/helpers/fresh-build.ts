import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Test code the build leaves out (tsconfig.build.json). */
const TEST_CODE = /\.(test|test-helper|contract)\.ts$/;

/**
 * Child processes run dist/: a missing or stale build of any source under
 * `folders` fails loudly rather than testing old code.
 */
export function assertFreshBuild(folders: readonly string[]): void {
  for (const folder of folders) check(folder);
}

function check(folder: string): void {
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      check(path);
      continue;
    }
    if (!entry.name.endsWith('.ts') || TEST_CODE.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const built = join(ROOT, 'dist', path.replace(/\.ts$/, '.js'));
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test builds first)`);
    }
    if (statSync(built).mtimeMs < statSync(join(ROOT, path)).mtimeMs) {
      throw new Error(`${built} is older than its source: rebuild with \`npx tsc -p tsconfig.build.json\``);
    }
  }
}
