import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessAdmin } from '../access/access-admin.js';
import { AccessControl } from '../access/access-control.js';
import { sqliteAccessStores } from '../access/access-stores-set.js';
import { ModelGrants } from '../access/model-grants.js';
import type { Role } from '../access/roles.js';
import type { ApiAccess } from './access-port.js';

/** Real authentication over SQLite files in a temporary folder, for tests of the API. */
export interface TestAccess {
  readonly access: ApiAccess;
  readonly control: AccessControl;
  readonly admin: AccessAdmin;
  readonly grants: ModelGrants;
  readonly csrfKey: string;
  /** One API token per role, made at start: `Authorization: Bearer <token>`. */
  readonly tokens: Readonly<Record<Role, string>>;
  dispose(): Promise<void>;
}

/** The password of the users {@link startTestAccess} makes: `viewer-1`, `operator-1`, `admin-1`. */
export const TEST_PASSWORD = 'a long test password';

export async function startTestAccess(): Promise<TestAccess> {
  const dir = await mkdtemp(join(tmpdir(), 'ember-api-access-'));
  const control = new AccessControl({ stores: sqliteAccessStores(dir) });
  await control.start();
  const admin = new AccessAdmin(control);
  const grants = new ModelGrants(randomBytes(32));
  const tokens: Partial<Record<Role, string>> = {};
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    tokens[role] = (await admin.createToken({ name: `test-${role}`, role }, 'test')).token;
    await admin.createUser({ username: `${role}-1`, role, password: TEST_PASSWORD }, 'test');
  }
  const access: ApiAccess = {
    login: (username, password) => control.login(username, password),
    logout: (cookie) => control.logout(cookie),
    sessionPrincipal: (cookie) => control.sessionPrincipal(cookie),
    tokenPrincipal: (token) => control.tokenPrincipal(token),
    record: (actor, action, subject, detail) => control.record(actor, action, subject, detail),
    auditEntries: (query) => control.auditEntries(query),
    modelGrantDevice: (grant, version) => grants.deviceOf(grant, version),
    admin,
  };
  return {
    access,
    control,
    admin,
    grants,
    csrfKey: randomBytes(32).toString('base64url'),
    tokens: tokens as Record<Role, string>,
    async dispose() {
      await control.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
