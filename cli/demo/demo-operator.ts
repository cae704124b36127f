import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudService } from '../../cloud/service/cloud-service.js';
import { isEmberError } from '../../shared/errors.js';
import { generatedPassword } from '../access/access-data.js';

/** Who signs in to the demo's dashboard. */
export interface DemoLogin {
  readonly username: string;
  readonly password: string;
  /** The owner-only file the password is kept in, so a later run can print it again. */
  readonly file: string;
}

export const DEMO_OPERATOR = 'operator';

/**
 * The demo's operator: made with a random password on the first run and
 * kept in `<data>/operator-login.txt` (0600); later runs print the same
 * one. An operator acknowledges and resolves; the demo's own approval and
 * rollout are recorded as system:demo.
 */
export async function ensureDemoOperator(cloud: CloudService, dataDir: string): Promise<DemoLogin> {
  const file = join(dataDir, 'operator-login.txt');
  const existing = await cloud.access.stores.users.get(DEMO_OPERATOR);
  if (existing !== undefined) {
    try {
      const password = (await readFile(file, 'utf8')).trim();
      return { username: DEMO_OPERATOR, password, file };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The file went away: a new password, since the old one cannot be shown again.
      const password = generatedPassword();
      await cloud.accessAdmin.updateUser(DEMO_OPERATOR, { password }, 'system:demo');
      await writeFile(file, `${password}\n`, { mode: 0o600 });
      return { username: DEMO_OPERATOR, password, file };
    }
  }
  const password = generatedPassword();
  try {
    await cloud.accessAdmin.createUser(
      { username: DEMO_OPERATOR, role: 'operator', password },
      'system:demo',
    );
  } catch (error) {
    if (!isEmberError(error, 'EMBER_ERR_ACCESS_CONFLICT')) throw error;
  }
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return { username: DEMO_OPERATOR, password, file };
}
