import { EmberError } from '../errors.js';

/** S3's limit on key length; the folder store keeps it too so that keys stay portable. */
export const MAX_KEY_BYTES = 1024;

const LONE_SURROGATE = /\p{Cs}/u;
// 'C:x' would leave the root on Windows even though it is relative on POSIX.
const DRIVE_LETTER = /^[A-Za-z]:/;

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Why `key` is not a safe object key, or undefined when it is one. Pure, for validation and tests. */
export function objectKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'is empty';
  if (LONE_SURROGATE.test(key)) return 'is not valid Unicode';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (hasControlCharacter(key)) return 'contains a control character';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'is an absolute path';
  if (DRIVE_LETTER.test(key)) return 'starts with a drive letter';
  for (const segment of key.split('/')) {
    if (segment === '') return 'has an empty path segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' path segment`;
  }
  return undefined;
}

/** Throws EMBER_ERR_STORE_BAD_KEY unless `key` is a '/'-separated relative path that stays inside its root. */
export function assertObjectKey(key: string): void {
  const problem = objectKeyProblem(key);
  if (problem !== undefined) {
    throw new EmberError('EMBER_ERR_STORE_BAD_KEY', `object key ${JSON.stringify(key)} ${problem}`);
  }
}

/**
 * Throws EMBER_ERR_STORE_BAD_KEY unless `prefix` is '' or a key, optionally
 * ending in '/'. A partial last segment ('runs/2024-') is allowed, as in S3.
 */
export function assertKeyPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = objectKeyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  if (problem !== undefined) {
    throw new EmberError('EMBER_ERR_STORE_BAD_KEY', `key prefix ${JSON.stringify(prefix)} ${problem}`);
  }
}

/** Orders keys by their UTF-8 bytes, the order S3 lists them in (code-unit order differs above U+FFFF). */
export function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}
