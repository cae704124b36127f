import { isIP } from 'node:net';

/** Names that always reach a server bound to loopback. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/** True for an address that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** The host name of a Host header, lower case, without port or IPv6 brackets; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header.length === 0 || header.length > 255) return undefined;
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed !== null) return bracketed[1];
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(value);
  return plain?.[1];
}

/**
 * The names the API answers to: loopback, the address it binds (unless a
 * wildcard), the host of its public URL, and whatever is configured. A
 * browser page on another name (DNS rebinding) is refused.
 */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(LOOPBACK_HOSTS);
  const bind = bindHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (bind !== '0.0.0.0' && bind !== '::') names.add(bind);
  for (const name of extra) {
    const parsed = hostName(name);
    if (parsed !== undefined) names.add(parsed);
  }
  return names;
}
