import { describe, expect, it } from 'vitest';
import { grantedManifestUrl, ModelGrants } from './model-grants.js';

const KEY = 'k'.repeat(32);

describe('ModelGrants', () => {
  it('opens one version for one device until it expires', () => {
    let now = 1_000_000;
    const grants = new ModelGrants(KEY, () => now);
    const grant = grants.grant('v2', 'gw-1', now + 60_000);
    expect(grants.deviceOf(grant, 'v2')).toBe('gw-1');
    expect(grants.deviceOf(grant, 'v3')).toBeUndefined();
    now += 60_000;
    expect(grants.deviceOf(grant, 'v2')).toBeUndefined();
  });

  it('refuses altered, foreign and malformed grants', () => {
    const grants = new ModelGrants(KEY, () => 0);
    const grant = grants.grant('v2', 'gw-1', 600_000);
    const [, expires, mac] = grant.split('.');
    expect(grants.deviceOf(`gw-2.${expires ?? ''}.${mac ?? ''}`, 'v2')).toBeUndefined();
    expect(grants.deviceOf(`gw-1.${Number(expires) + 1}.${mac ?? ''}`, 'v2')).toBeUndefined();
    expect(new ModelGrants('o'.repeat(32), () => 0).deviceOf(grant, 'v2')).toBeUndefined();
    for (const bad of ['', 'a.b', 'gw-1.x.y', `${grant}.x`, 'ewt_abc']) {
      expect(grants.deviceOf(bad, 'v2')).toBeUndefined();
    }
    expect(() => new ModelGrants('short')).toThrow(RangeError);
  });

  it('builds a manifest URL whose model file resolves beside it with the same grant', () => {
    const url = grantedManifestUrl('https://cloud.example.org/', 'gw-1.99.abc', 'v2');
    expect(url).toBe('https://cloud.example.org/v1/device-models/gw-1.99.abc/v2/manifest.json');
    expect(new URL('model.onnx', url).href).toBe(
      'https://cloud.example.org/v1/device-models/gw-1.99.abc/v2/model.onnx',
    );
  });
});
