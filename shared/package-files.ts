import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file the package ships beside its code (models/default, recordings/…),
 * found by walking up from this module, so that it resolves from the
 * sources, from dist/ and from an installed package alike; undefined when no
 * folder above has it.
 */
export function findPackageFile(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The real-fire recordings the package ships, which the registry gate replays by default. */
export function shippedRealFires(): string | undefined {
  const alarms = findPackageFile('recordings/nist-home-smoke-alarms/alarms.csv');
  return alarms === undefined ? undefined : dirname(alarms);
}
