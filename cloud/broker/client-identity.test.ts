import { describe, expect, it } from 'vitest';
import { identityFromCertificateSubject } from './client-identity.js';

describe('identityFromCertificateSubject', () => {
  it('reads a device and a service from CN and OU', () => {
    expect(identityFromCertificateSubject({ CN: 'gw-1', OU: 'device', O: 'Emberwatch' })).toEqual({
      ok: true,
      identity: { name: 'gw-1', role: 'device' },
    });
    expect(identityFromCertificateSubject({ CN: 'analysis', OU: 'service' })).toEqual({
      ok: true,
      identity: { name: 'analysis', role: 'service' },
    });
  });

  it('refuses what a client could use to claim more than its certificate says', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /no client certificate/],
      [{}, /no single CN/],
      [{ CN: ['gw-1', 'gw-2'], OU: 'device' }, /no single CN/],
      [{ CN: 'gw-1' }, /role null may not connect/],
      [{ CN: 'gw-1', OU: ['device', 'service'] }, /may not connect/],
      [{ CN: 'broker', OU: 'server' }, /role "server" may not connect/],
      [{ CN: 'gw/1', OU: 'device' }, /CN is not a valid/],
      [{ CN: '#', OU: 'service' }, /CN is not a valid/],
    ];
    for (const [subject, reason] of cases) {
      const result = identityFromCertificateSubject(subject);
      expect(result.ok, JSON.stringify(subject)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });
});
