import { sign, verify } from 'node:crypto';
import { z } from 'zod';
import { EmberError } from '../errors.js';
import { canonicalJson, ed25519Key, keyIdOf } from './model-signature.js';

/**
 * A signed order to one device to take the model of one offer out of
 * service and go back to the model it ran before (or the rules), sent on
 * model/offer like an offer. It names the offer, never a model to fetch,
 * so it needs no download, no sequence and no clock: it works whatever
 * replay state or clock a device has. A replayed rollback does nothing
 * unless the device still runs that very offer's model as its newest.
 */
export const ModelRollback = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal('rollback'),
  /** Unique per rollback; the device's report quotes it as its offerId. */
  id: z.string().min(1).max(128),
  /** A rollback is always for one device. */
  deviceId: z.string().min(1),
  /** The offer whose model is to go. */
  offerId: z.string().min(1).max(128),
  /** The version that offer installed, for reports. */
  version: z.string().min(1),
  /** When it was signed, ms since the epoch (for the record; never checked against a clock). */
  issuedAt: z.number().int().nonnegative(),
  keyId: z.string().min(1).max(128),
  /** Ed25519 over {@link rollbackSigningPayload}, base64. */
  signature: z.base64().min(1),
});
export type ModelRollback = z.infer<typeof ModelRollback>;
export type UnsignedModelRollback = Omit<ModelRollback, 'signature' | 'keyId'> & { keyId?: string };

// Another domain than offers': a signed offer can never pass as a rollback, nor the reverse.
const DOMAIN = 'emberwatch/model-rollback/v1\n';

/** The signed bytes: every field but the signature. */
export function rollbackSigningPayload(rollback: Omit<ModelRollback, 'signature'>): Buffer {
  const { schemaVersion, kind, id, deviceId, offerId, version, issuedAt, keyId } = rollback;
  const fields = { schemaVersion, kind, id, deviceId, offerId, version, issuedAt, keyId };
  return Buffer.from(DOMAIN + canonicalJson(fields), 'utf8');
}

/** Signs a rollback with the fleet's Ed25519 private key. */
export function signRollback(rollback: UnsignedModelRollback, privateKeyPem: string): ModelRollback {
  const key = ed25519Key(privateKeyPem, 'private');
  const unsigned = { ...rollback, keyId: rollback.keyId ?? keyIdOf(privateKeyPem) };
  const signature = sign(null, rollbackSigningPayload(unsigned), key).toString('base64');
  const parsed = ModelRollback.safeParse({ ...unsigned, signature });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `rollback.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Whether `rollback` was signed, unaltered, by the private half of `publicKeyPem`. */
export function verifyRollback(rollback: ModelRollback, publicKeyPem: string): boolean {
  const key = ed25519Key(publicKeyPem, 'public');
  const signature = Buffer.from(rollback.signature, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, rollbackSigningPayload(rollback), key, signature);
}

/** True for a message on model/offer that is a rollback rather than an offer. */
export function isRollback(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'rollback';
}
