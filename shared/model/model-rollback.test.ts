import { describe, expect, it } from 'vitest';
import { ModelRollback, signRollback, verifyRollback, type UnsignedModelRollback } from './model-rollback.js';
import { generateOfferKeys, ModelOffer, signOffer, verifyOffer } from './model-signature.js';

const fleet = generateOfferKeys();
const rogue = generateOfferKeys();
const unsigned: UnsignedModelRollback = {
  schemaVersion: 1,
  kind: 'rollback',
  id: 'rollback-1',
  deviceId: 'gw-1',
  offerId: 'offer-1',
  version: 'v2',
  issuedAt: 1_790_000_000_000,
};

describe('signRollback and verifyRollback', () => {
  const rollback = signRollback(unsigned, fleet.privateKeyPem);

  it('verifies with the fleet key only, and not once any field changed', () => {
    expect(verifyRollback(rollback, fleet.publicKeyPem)).toBe(true);
    expect(verifyRollback(rollback, rogue.publicKeyPem)).toBe(false);
    for (const altered of [
      { ...rollback, deviceId: 'gw-2' },
      { ...rollback, offerId: 'offer-2' },
      { ...rollback, version: 'v1' },
      { ...rollback, id: 'rollback-2' },
      { ...rollback, issuedAt: rollback.issuedAt + 1 },
    ]) {
      expect(verifyRollback(ModelRollback.parse(altered), fleet.publicKeyPem)).toBe(false);
    }
  });

  it('cannot be made from a signed offer, nor an offer from a rollback (separate signing domains)', () => {
    const offer = signOffer(
      {
        schemaVersion: 3,
        id: 'offer-1',
        deviceId: 'gw-1',
        sequence: 1,
        version: 'v2',
        sha256: 'a'.repeat(64),
        size: 10,
        source: { objectKey: 'models/v2/manifest.json' },
        issuedAt: 1,
        expiresAt: 2,
      },
      fleet.privateKeyPem,
    );
    const asRollback = ModelRollback.parse({ ...unsigned, keyId: offer.keyId, signature: offer.signature });
    expect(verifyRollback(asRollback, fleet.publicKeyPem)).toBe(false);
    expect(
      verifyOffer(ModelOffer.parse({ ...offer, signature: rollback.signature }), fleet.publicKeyPem),
    ).toBe(false);
  });
});
