import { EmberError } from '../../shared/errors.js';
import { ModelRollback, verifyRollback } from '../../shared/model/model-rollback.js';
import { ModelOffer, verifyOffer } from '../../shared/model/model-signature.js';

/** What an offer is checked against. */
export interface OfferTrust {
  /** keyId → Ed25519 public key PEM. */
  readonly trustedKeys: ReadonlyMap<string, string>;
  readonly deviceId?: string | undefined;
}

function field(raw: unknown, name: string): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined;
}

/** The offer id and version to quote in a report, even for an offer too broken to parse. */
export function offerLabel(raw: unknown): { offerId: string; version: string } {
  const id = field(raw, 'id');
  const version = field(raw, 'version');
  return {
    offerId: typeof id === 'string' ? id : 'unknown',
    version: typeof version === 'string' ? version : 'unknown',
  };
}

/**
 * Accepts an offer only if it is well formed, meant for this device and
 * signed, unaltered, by a trusted key. Throws EMBER_ERR_OFFER_SIGNATURE
 * (unsigned, unknown key, bad signature) or EMBER_ERR_BAD_OFFER.
 */
export function checkOffer(raw: unknown, trust: OfferTrust): ModelOffer {
  const signature = field(raw, 'signature');
  if (signature === undefined || signature === '') {
    throw new EmberError('EMBER_ERR_OFFER_SIGNATURE', 'offer is not signed');
  }
  const parsed = ModelOffer.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['offer', ...(issue?.path.map(String) ?? [])].join('.');
    throw new EmberError('EMBER_ERR_BAD_OFFER', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const offer = parsed.data;
  const key = trust.trustedKeys.get(offer.keyId);
  if (key === undefined) {
    throw new EmberError(
      'EMBER_ERR_OFFER_SIGNATURE',
      `offer is signed with key ${offer.keyId}, which this device does not trust`,
    );
  }
  if (!verifyOffer(offer, key)) {
    throw new EmberError(
      'EMBER_ERR_OFFER_SIGNATURE',
      `offer signature does not verify with key ${offer.keyId}: altered after signing, or signed by another key`,
    );
  }
  if (offer.deviceId !== undefined && trust.deviceId !== undefined && offer.deviceId !== trust.deviceId) {
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `offer is for device ${offer.deviceId}, not ${trust.deviceId}`,
    );
  }
  return offer;
}

/** How far the device's clock may run ahead of the cloud's before a valid offer looks expired. */
export const OFFER_CLOCK_SKEW_MS = 5 * 60_000;

/** The longest an offer may stay valid: a longer one is a mistake or a forgery's wish. */
export const MAX_OFFER_LIFETIME_MS = 31 * 86_400_000;

/** What an offer's freshness is judged against. */
export interface Freshness {
  /** The device's clock, ms since the epoch. */
  readonly now: number;
  /** Sequence of the newest offer this device accepted; 0 before any. */
  readonly newestSequence: number;
  /** How far ahead of `now` an offer may be dated. */
  readonly maxAheadMs: number;
}

/**
 * Refuses an offer that is no higher in sequence than the newest this
 * device accepted (a replay: EMBER_ERR_OFFER_STALE), that has expired
 * (EMBER_ERR_OFFER_STALE), whose validity is inconsistent or longer than
 * {@link MAX_OFFER_LIFETIME_MS} (EMBER_ERR_BAD_OFFER), or that is dated more
 * than `maxAheadMs` ahead of the device's clock (EMBER_ERR_OFFER_FUTURE,
 * retryable: one clock or the other is wrong, and an offer installed on a
 * wrong clock would stay valid for as long). Replay protection rests on the
 * cloud's sequence alone, so no date, however far ahead, can make later
 * offers look old. A device whose clock runs behind (a Pi without a
 * real-time clock, before NTP) never finds a fresh offer expired.
 */
export function checkOfferFresh(offer: ModelOffer, freshness: Freshness): void {
  if (offer.expiresAt <= offer.issuedAt) {
    throw new EmberError('EMBER_ERR_BAD_OFFER', 'offer.expiresAt: not after offer.issuedAt');
  }
  if (offer.expiresAt - offer.issuedAt > MAX_OFFER_LIFETIME_MS) {
    throw new EmberError('EMBER_ERR_BAD_OFFER', 'offer.expiresAt: valid for more than 31 days');
  }
  if (offer.sequence <= freshness.newestSequence) {
    throw new EmberError(
      'EMBER_ERR_OFFER_STALE',
      `offer ${offer.id} has sequence ${offer.sequence}, not above ${freshness.newestSequence} of the newest offer this device accepted: a replay`,
    );
  }
  const ahead = offer.issuedAt - freshness.now;
  if (ahead > freshness.maxAheadMs) {
    const hours = Math.round(ahead / 3_600_000);
    throw new EmberError(
      'EMBER_ERR_OFFER_FUTURE',
      `offer ${offer.id} is dated ${new Date(offer.issuedAt).toISOString()}, ${hours} h ahead of this device's clock: the device's clock or the cloud's is wrong`,
      { retryable: true },
    );
  }
  if (freshness.now > offer.expiresAt + OFFER_CLOCK_SKEW_MS) {
    throw new EmberError(
      'EMBER_ERR_OFFER_STALE',
      `offer ${offer.id} expired at ${new Date(offer.expiresAt).toISOString()}`,
    );
  }
}

/**
 * Accepts a rollback only if it is well formed, for this device (a
 * rollback always names one) and signed, unaltered, by a trusted key.
 * Throws EMBER_ERR_OFFER_SIGNATURE or EMBER_ERR_BAD_OFFER.
 */
export function checkRollback(raw: unknown, trust: OfferTrust): ModelRollback {
  const parsed = ModelRollback.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['rollback', ...(issue?.path.map(String) ?? [])].join('.');
    throw new EmberError('EMBER_ERR_BAD_OFFER', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const rollback = parsed.data;
  const key = trust.trustedKeys.get(rollback.keyId);
  if (key === undefined || !verifyRollback(rollback, key)) {
    throw new EmberError(
      'EMBER_ERR_OFFER_SIGNATURE',
      `rollback ${rollback.id} is not signed by a key this device trusts, or was altered`,
    );
  }
  if (trust.deviceId !== undefined && rollback.deviceId !== trust.deviceId) {
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `rollback is for device ${rollback.deviceId}, not ${trust.deviceId}`,
    );
  }
  return rollback;
}
