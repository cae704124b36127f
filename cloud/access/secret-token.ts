import { createHash, randomBytes } from 'node:crypto';

/** Prefix of API tokens, so a leaked one is recognisable (and secret scanners can be taught it). */
export const API_TOKEN_PREFIX = 'ewt_';

/** 32 random bytes, base64url: a session cookie value or the secret part of an API token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A new API token as shown once to its creator. */
export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${newSecret()}`;
}

/** A short random id for listing and revoking a token or naming a session. */
export function newId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * SHA-256 of a high-entropy secret (hex): what the stores keep of tokens and
 * session cookies. A slow hash is needed only for guessable secrets such as
 * passwords; 256 random bits cannot be guessed, and a leaked store does not
 * give anyone a usable credential.
 */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
