import { z } from 'zod';

/** Who may do what, weakest first: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES, { error: `a role is one of ${ROLES.join(', ')}` });

/**
 * What a route asks of its caller: `public` (anyone, e.g. health and the
 * login page), `device` (a signed model URL, checked by the route itself),
 * or the least role a person or API token must hold.
 */
export type RouteAccess = 'public' | 'device' | Role;

/** True when `role` is `needed` or stronger. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** User names: what shows in the audit log and on incidents, so short and plain. */
export const UsernameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
    'a user name is 1-64 characters of A-Z a-z 0-9 . _ @ -, starting with a letter or digit',
  );

/** Long enough to resist guessing at scrypt's cost; the cap keeps one login from hashing megabytes. */
export const PasswordSchema = z
  .string()
  .min(12, 'a password has at least 12 characters')
  .max(1024, 'a password has at most 1024 characters');
