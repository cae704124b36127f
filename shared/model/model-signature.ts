import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { EmberError } from '../errors.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');

/** Where a device fetches manifest.json; the model file sits beside it (same URL folder or key prefix). */
export const ModelSource = z.union([
  z.strictObject({ url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({ objectKey: z.string().min(1).max(1024) }),
]);
export type ModelSource = z.infer<typeof ModelSource>;

/**
 * A signed offer of a model to a device (topic model/offer). `sha256` and
 * `size` are those of the manifest.json bytes at `source`; the manifest in
 * turn pins the model file's SHA-256, so one signature covers both.
 * `sequence` (a number the cloud raises with every offer to a device),
 * `issuedAt` and `expiresAt` are signed too: a device refuses an offer no
 * higher in sequence than the newest it accepted, so an old offer replayed
 * cannot put an old model back, whatever either clock says; and it refuses
 * an expired offer, or one dated too far ahead of its own clock.
 */
export const ModelOffer = z.strictObject({
  schemaVersion: z.literal(3),
  /** Unique per offer; reports quote it. */
  id: z.string().min(1).max(128),
  /** Set when the offer is for one device only. */
  deviceId: z.string().min(1).optional(),
  /** Per device, higher with every offer the cloud makes it; replay protection rests on it, not on clocks. */
  sequence: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  version: z.string().min(1),
  sha256: Sha256,
  size: z.number().int().positive(),
  source: ModelSource,
  /** When the offer was signed, ms since the epoch. */
  issuedAt: z.number().int().nonnegative(),
  /** After this (ms since the epoch) the offer is void. */
  expiresAt: z.number().int().positive(),
  /** Names the fleet key that signed; see {@link keyIdOf}. */
  keyId: z.string().min(1).max(128),
  /** Ed25519 over {@link offerSigningPayload}, base64. */
  signature: z.base64().min(1),
});
export type ModelOffer = z.infer<typeof ModelOffer>;
/** An offer before signing; `keyId` defaults to the signing key's {@link keyIdOf}. */
export type UnsignedModelOffer = Omit<ModelOffer, 'signature' | 'keyId'> & { keyId?: string };

// Binds the signature to this kind of message, so no other signed blob can pass as an offer.
const DOMAIN = 'emberwatch/model-offer/v3\n';

/** JSON with object keys sorted at every level and no whitespace: the same bytes whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new EmberError('EMBER_ERR_BAD_OFFER', `cannot encode ${typeof value}`);
  return text;
}

/**
 * The signed bytes: every field of the offer except the signature, so that
 * neither the content (version, sha256, size, source), the addressee (id,
 * deviceId) nor the validity (sequence, issuedAt, expiresAt) can be changed
 * without breaking it.
 */
export function offerSigningPayload(offer: Omit<ModelOffer, 'signature'>): Buffer {
  const { schemaVersion, id, deviceId, sequence, version, sha256, size, source, issuedAt, expiresAt, keyId } =
    offer;
  const fields = {
    schemaVersion,
    id,
    deviceId,
    sequence,
    version,
    sha256,
    size,
    source,
    issuedAt,
    expiresAt,
    keyId,
  };
  return Buffer.from(DOMAIN + canonicalJson(fields), 'utf8');
}

/** An Ed25519 key from PEM; EMBER_ERR_SIGNING_KEY for anything else (an RSA key names its type). */
export function ed25519Key(pem: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new EmberError('EMBER_ERR_SIGNING_KEY', `not a ${kind} key in PEM form`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new EmberError(
      'EMBER_ERR_SIGNING_KEY',
      `${kind} key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`,
    );
  }
  return key;
}

/** A short, stable name for a public (or the public half of a private) key: SHA-256 of its SPKI DER, 16 hex digits. */
export function keyIdOf(keyPem: string): string {
  const key = keyPem.includes('PRIVATE')
    ? createPublicKey(ed25519Key(keyPem, 'private'))
    : ed25519Key(keyPem, 'public');
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** A new fleet signing key pair in PEM (PKCS#8 private, SPKI public). */
export function generateOfferKeys(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, keyId: keyIdOf(publicKey) };
}

/** Signs an offer with the fleet's Ed25519 private key; throws EMBER_ERR_BAD_OFFER if the result is not a valid offer. */
export function signOffer(offer: UnsignedModelOffer, privateKeyPem: string): ModelOffer {
  const key = ed25519Key(privateKeyPem, 'private');
  const unsigned = { ...offer, keyId: offer.keyId ?? keyIdOf(privateKeyPem) };
  const signature = sign(null, offerSigningPayload(unsigned), key).toString('base64');
  const parsed = ModelOffer.safeParse({ ...unsigned, signature });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `offer.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Whether `offer` was signed, unaltered, by the private half of `publicKeyPem`. Never throws for a bad signature. */
export function verifyOffer(offer: ModelOffer, publicKeyPem: string): boolean {
  const key = ed25519Key(publicKeyPem, 'public');
  const signature = Buffer.from(offer.signature, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, offerSigningPayload(offer), key, signature);
}
