import type { AuditEntry, AuditQuery } from '../access/access-stores.js';
import type {
  NewTokenInput,
  NewUserInput,
  TokenView,
  UserUpdateInput,
  UserView,
} from '../access/access-admin.js';
import type { Principal } from '../access/access-control.js';

export type { Principal } from '../access/access-control.js';
export type { RouteAccess, Role } from '../access/roles.js';

/**
 * What the API asks of authentication, the audit log and the signed model
 * URLs of devices. cloud/access's AccessControl, AccessAdmin and ModelGrants
 * provide it; the composition root puts them together.
 */
export interface ApiAccess {
  /** EMBER_ERR_API_UNAUTHENTICATED for a wrong user name or password, or a disabled account. */
  login(
    username: string,
    password: string,
  ): Promise<{ cookie: string; principal: Principal; expiresAt: number }>;
  logout(cookie: string): Promise<void>;
  sessionPrincipal(cookie: string): Promise<Principal | undefined>;
  tokenPrincipal(token: string): Promise<Principal | undefined>;
  record(actor: string, action: string, subject: string, detail?: string): Promise<AuditEntry>;
  auditEntries(query?: AuditQuery): Promise<readonly AuditEntry[]>;
  /** The device a signed model URL was issued to, or undefined when it is forged, altered, expired or for another version. */
  modelGrantDevice(grant: string, version: string): string | undefined;
  readonly admin: {
    listUsers(): Promise<UserView[]>;
    createUser(input: NewUserInput, actor: string): Promise<UserView>;
    updateUser(username: string, input: UserUpdateInput, actor: string): Promise<UserView>;
    removeUser(username: string, actor: string): Promise<void>;
    listTokens(): Promise<TokenView[]>;
    createToken(input: NewTokenInput, actor: string): Promise<{ token: string; record: TokenView }>;
    revokeToken(id: string, actor: string): Promise<TokenView>;
  };
}
