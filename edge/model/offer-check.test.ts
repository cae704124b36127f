import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import type { ModelOffer } from '../../shared/model/model-signature.js';
import { checkOfferFresh, type Freshness } from './offer-check.js';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

function offer(fields: Partial<ModelOffer>): ModelOffer {
  return {
    schemaVersion: 3,
    id: 'o',
    sequence: 5,
    version: 'v',
    sha256: 'a'.repeat(64),
    size: 1,
    source: { objectKey: 'k' },
    issuedAt: NOW,
    expiresAt: NOW + HOUR,
    keyId: 'k',
    signature: 'AA==',
    ...fields,
  };
}

function codeOf(o: ModelOffer, freshness: Partial<Freshness> = {}): string {
  try {
    checkOfferFresh(o, { now: NOW, newestSequence: 4, maxAheadMs: 24 * HOUR, ...freshness });
    return 'fresh';
  } catch (error) {
    return isEmberError(error) ? error.code : String(error);
  }
}

describe('checkOfferFresh', () => {
  it('judges replays by sequence alone, whatever the dates say', () => {
    expect(codeOf(offer({}))).toBe('fresh');
    expect(codeOf(offer({ sequence: 4 }))).toBe('EMBER_ERR_OFFER_STALE');
    // Dated before the offer accepted last: still fresh, being numbered above it.
    expect(codeOf(offer({ issuedAt: NOW - 2 * HOUR, expiresAt: NOW + HOUR }))).toBe('fresh');
  });

  it('refuses offers dated too far ahead of the device clock, for now', () => {
    expect(codeOf(offer({ issuedAt: NOW + 23 * HOUR, expiresAt: NOW + 30 * HOUR }))).toBe('fresh');
    expect(codeOf(offer({ issuedAt: NOW + 25 * HOUR, expiresAt: NOW + 30 * HOUR }))).toBe(
      'EMBER_ERR_OFFER_FUTURE',
    );
    // A device clock far behind (no real-time clock, no NTP yet) never finds a fresh offer expired.
    expect(codeOf(offer({}), { now: NOW - 10 * HOUR, maxAheadMs: 24 * HOUR })).toBe('fresh');
  });

  it('refuses expired offers, inconsistent validity and lifetimes over 31 days', () => {
    expect(codeOf(offer({ issuedAt: NOW - 3 * HOUR, expiresAt: NOW - 2 * HOUR }))).toBe(
      'EMBER_ERR_OFFER_STALE',
    );
    expect(codeOf(offer({ expiresAt: NOW }))).toBe('EMBER_ERR_BAD_OFFER');
    expect(codeOf(offer({ expiresAt: NOW + 32 * 24 * HOUR }))).toBe('EMBER_ERR_BAD_OFFER');
  });
});
