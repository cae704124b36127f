import { EmberError } from '../../shared/errors.js';
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

/**
 * Refuses an offer that has expired, or that was issued no later than the
 * newest offer this device ever accepted: a replayed old offer must not put
 * an old model back. (A device whose clock runs behind, a Pi without a
 * real-time clock before NTP, still accepts fresh offers: nothing here
 * trusts the device clock to be ahead.) Throws EMBER_ERR_OFFER_STALE.
 */
export function checkOfferFresh(offer: ModelOffer, now: number, newestAcceptedIssuedAt: number): void {
  if (offer.expiresAt <= offer.issuedAt) {
    throw new EmberError('EMBER_ERR_BAD_OFFER', 'offer.expiresAt: not after offer.issuedAt');
  }
  if (now > offer.expiresAt + OFFER_CLOCK_SKEW_MS) {
    throw new EmberError(
      'EMBER_ERR_OFFER_STALE',
      `offer ${offer.id} expired at ${new Date(offer.expiresAt).toISOString()}`,
    );
  }
  if (offer.issuedAt <= newestAcceptedIssuedAt) {
    throw new EmberError(
      'EMBER_ERR_OFFER_STALE',
      `offer ${offer.id} was issued at ${new Date(offer.issuedAt).toISOString()}, not after the newest offer this device accepted (${new Date(newestAcceptedIssuedAt).toISOString()}): a replay`,
    );
  }
}
