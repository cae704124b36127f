import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import {
  canonicalJson,
  generateOfferKeys,
  keyIdOf,
  ModelOffer,
  signOffer,
  verifyOffer,
  type UnsignedModelOffer,
} from './model-signature.js';

const fleet = generateOfferKeys();
const rogue = generateOfferKeys();

const unsigned: UnsignedModelOffer = {
  schemaVersion: 3,
  id: 'offer-1',
  sequence: 7,
  deviceId: 'gw-1',
  version: '2025.01.01-1',
  sha256: 'a'.repeat(64),
  size: 1234,
  source: { url: 'https://models.example.org/v1/manifest.json' },
  issuedAt: 1_790_000_000_000,
  expiresAt: 1_790_086_400_000,
};

function shuffledKeys(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => shuffledKeys(v, order));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(order(Object.keys(record)).map((k) => [k, shuffledKeys(record[k], order)]));
}

describe('signOffer and verifyOffer', () => {
  const offer = signOffer(unsigned, fleet.privateKeyPem);

  it('verifies with the fleet key and names it by keyId', () => {
    expect(offer.keyId).toBe(fleet.keyId);
    expect(keyIdOf(fleet.privateKeyPem)).toBe(fleet.keyId);
    expect(verifyOffer(offer, fleet.publicKeyPem)).toBe(true);
    expect(ModelOffer.parse(offer)).toEqual(offer);
  });

  it('fails with another key, and for any field changed after signing', () => {
    expect(verifyOffer(offer, rogue.publicKeyPem)).toBe(false);
    const altered: unknown[] = [
      { ...offer, version: 'other' },
      { ...offer, sha256: 'b'.repeat(64) },
      { ...offer, size: 1235 },
      { ...offer, source: { url: 'https://evil.example.org/manifest.json' } },
      { ...offer, source: { objectKey: 'models/v1/manifest.json' } },
      { ...offer, id: 'offer-2' },
      { ...offer, deviceId: 'gw-2' },
      { ...offer, deviceId: undefined },
      { ...offer, issuedAt: offer.issuedAt + 1 },
      { ...offer, sequence: offer.sequence + 1 },
      { ...offer, expiresAt: offer.expiresAt + 86_400_000 },
      { ...offer, signature: Buffer.alloc(64).toString('base64') },
      { ...offer, signature: Buffer.from('short').toString('base64') },
    ];
    for (const candidate of altered) {
      expect(verifyOffer(ModelOffer.parse(candidate), fleet.publicKeyPem), JSON.stringify(candidate)).toBe(
        false,
      );
    }
  });

  it('does not depend on the order of keys in the offer', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 10, maxLength: 10 }), (weights) => {
        const order = (keys: string[]): string[] =>
          [...keys].sort(
            (a, b) => (weights[a.length % 10] ?? 0) - (weights[b.length % 10] ?? 0) || (a < b ? 1 : -1),
          );
        const reordered = ModelOffer.parse(shuffledKeys(offer, order));
        return verifyOffer(reordered, fleet.publicKeyPem);
      }),
    );
  });

  it('refuses keys that are not Ed25519 PEM with EMBER_ERR_SIGNING_KEY', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return isEmberError(error) ? error.code : 'not an EmberError';
      }
      return undefined;
    };
    expect(code(() => signOffer(unsigned, ec.privateKey))).toBe('EMBER_ERR_SIGNING_KEY');
    expect(code(() => verifyOffer(offer, ec.publicKey))).toBe('EMBER_ERR_SIGNING_KEY');
    expect(code(() => verifyOffer(offer, 'not a key'))).toBe('EMBER_ERR_SIGNING_KEY');
  });

  it('refuses to sign an offer that breaks the schema, with EMBER_ERR_BAD_OFFER', () => {
    expect(() => signOffer({ ...unsigned, sha256: 'XYZ' }, fleet.privateKeyPem)).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_OFFER' }),
    );
  });

  it('accepts only http(s) URLs or object keys as sources', () => {
    const parse = (source: unknown) => ModelOffer.safeParse({ ...offer, source }).success;
    expect(parse({ url: 'http://127.0.0.1:8080/m/manifest.json' })).toBe(true);
    expect(parse({ objectKey: 'models/v1/manifest.json' })).toBe(true);
    expect(parse({ url: 'file:///etc/passwd' })).toBe(false);
    expect(parse({ url: 'ftp://host/manifest.json' })).toBe(false);
    expect(parse({ url: 'https://a/m', objectKey: 'm' })).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined fields and agrees with JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        return canonicalJson(shuffledKeys(value, (keys) => [...keys].reverse())) === text;
      }),
    );
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null }, e: undefined })).toBe(
      '{"a":{"c":null,"d":[1,"x"]},"b":1}',
    );
  });
});
