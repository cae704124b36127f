import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The environment variable that names the socat to run, overriding the PATH. */
export const SOCAT_ENV = 'EMBERWATCH_SOCAT';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where socat is: `given` (an option), else EMBERWATCH_SOCAT, else the first
 * `socat` on the PATH; undefined when none of them can be run. A bare name
 * in `given` or the variable is looked up on the PATH too.
 */
export function findSocat(given?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const wanted = given ?? env[SOCAT_ENV];
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  if (wanted !== undefined && wanted !== '') {
    if (isAbsolute(wanted) || wanted.includes('/')) return executable(wanted) ? wanted : undefined;
    return dirs.map((dir) => join(dir, wanted)).find(executable);
  }
  return dirs.map((dir) => join(dir, 'socat')).find(executable);
}
