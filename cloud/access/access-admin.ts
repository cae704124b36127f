import type { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import type { AccessControl } from './access-control.js';
import type { TokenRecord, UserRecord } from './access-stores.js';
import { hashPassword } from './password-hash.js';
import { PasswordSchema, RoleSchema, UsernameSchema, type Role } from './roles.js';
import { newApiToken, newId, secretHash } from './secret-token.js';

/** A user as listed: never the password hash. */
export type UserView = Omit<UserRecord, 'passwordHash'>;
/** A token as listed: never its hash. */
export type TokenView = Omit<TokenRecord, 'hash'>;

export interface NewUserInput {
  readonly username: string;
  readonly role: Role;
  readonly password: string;
}

export interface UserUpdateInput {
  readonly role?: Role;
  readonly password?: string;
  readonly disabled?: boolean;
}

export interface NewTokenInput {
  readonly name: string;
  readonly role: Role;
  /** Days until it stops working; never when absent. */
  readonly expiresInDays?: number;
}

function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new EmberError(
    'EMBER_ERR_ACCESS_BAD_INPUT',
    `${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
  );
}

export function userView(user: UserRecord): UserView {
  const { passwordHash: _hash, ...view } = user;
  return view;
}

export function tokenView(token: TokenRecord): TokenView {
  const { hash: _hash, ...view } = token;
  return view;
}

/**
 * Managing people and API tokens, for `emberwatch users|tokens` and the
 * admin routes alike. Every change is recorded in the audit log under the
 * actor who made it; a password change, a disabled or removed account ends
 * that user's sessions.
 */
export class AccessAdmin {
  readonly #access: AccessControl;
  readonly #now: () => number;

  constructor(access: AccessControl, now: () => number = Date.now) {
    this.#access = access;
    this.#now = now;
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.#access.stores.users.list()).map(userView);
  }

  async createUser(input: NewUserInput, actor: string): Promise<UserView> {
    const username = checked(UsernameSchema, input.username, 'user name');
    const role = checked(RoleSchema, input.role, 'role');
    const password = checked(PasswordSchema, input.password, 'password');
    const now = this.#now();
    const user = await this.#access.stores.users.create({
      username,
      role,
      passwordHash: await hashPassword(password),
      disabled: false,
      createdAt: now,
      updatedAt: now,
    });
    await this.#access.record(actor, 'user-created', username, `role ${role}`);
    return userView(user);
  }

  async updateUser(username: string, input: UserUpdateInput, actor: string): Promise<UserView> {
    const role = input.role === undefined ? undefined : checked(RoleSchema, input.role, 'role');
    const password =
      input.password === undefined ? undefined : checked(PasswordSchema, input.password, 'password');
    const stores = this.#access.stores;
    const user = await stores.users.update(
      username,
      {
        ...(role === undefined ? {} : { role }),
        ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
        ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
      },
      this.#now(),
    );
    if (password !== undefined || input.disabled === true) await stores.sessions.removeUser(username);
    const changes = [
      role === undefined ? null : `role ${role}`,
      password === undefined ? null : 'password changed',
      input.disabled === undefined ? null : input.disabled ? 'disabled' : 'enabled',
    ].filter((c) => c !== null);
    await this.#access.record(actor, 'user-changed', username, changes.join(', '));
    return userView(user);
  }

  async removeUser(username: string, actor: string): Promise<void> {
    const stores = this.#access.stores;
    await stores.users.remove(username);
    await stores.sessions.removeUser(username);
    await this.#access.record(actor, 'user-removed', username);
  }

  async listTokens(): Promise<TokenView[]> {
    return (await this.#access.stores.tokens.list()).map(tokenView);
  }

  /** Makes a token; its secret is in the answer and nowhere else, so it is shown once. */
  async createToken(input: NewTokenInput, actor: string): Promise<{ token: string; record: TokenView }> {
    const name = checked(UsernameSchema, input.name, 'token name');
    const role = checked(RoleSchema, input.role, 'role');
    const days = input.expiresInDays;
    if (days !== undefined && !(Number.isFinite(days) && days > 0 && days <= 3650)) {
      throw new EmberError('EMBER_ERR_ACCESS_BAD_INPUT', 'expiry: between 0 and 3650 days');
    }
    const token = newApiToken();
    const now = this.#now();
    const record = await this.#access.stores.tokens.create({
      id: newId(),
      name,
      role,
      hash: secretHash(token),
      createdBy: actor,
      createdAt: now,
      expiresAt: days === undefined ? null : now + Math.round(days * 86_400_000),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.#access.record(actor, 'token-created', name, `id ${record.id}, role ${role}`);
    return { token, record: tokenView(record) };
  }

  async revokeToken(id: string, actor: string): Promise<TokenView> {
    const record = await this.#access.stores.tokens.revoke(id, this.#now());
    await this.#access.record(actor, 'token-revoked', record.name, `id ${id}`);
    return tokenView(record);
  }
}
