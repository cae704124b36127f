import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7-shaped id: 48 bits of Unix time in ms, then random bits. Ids made
 * later sort later (to the millisecond), so new rows land at the end of
 * their primary-key index instead of on a random page of it.
 */
export function timeOrderedId(ms: number = Date.now()): string {
  const time = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID(): xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx; keep its random tail after the version digit.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
