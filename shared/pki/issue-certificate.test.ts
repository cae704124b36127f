import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { ensureCa, type CertificateAuthority } from './certificate-authority.js';
import { checkIssuedCertificate } from './certificate-check.js';
import { writeKeyAndCertificate } from './certificate-files.js';
import {
  issueDeviceCertificate,
  issueServerCertificate,
  issueServiceCertificate,
} from './issue-certificate.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let caCert: X509Certificate;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'emberwatch-issue-'));
  ca = await ensureCa(join(root, 'ca'));
  otherCa = await ensureCa(join(root, 'other'));
  caCert = new X509Certificate(ca.certPem);
});

function keyMatches(keyPem: string, cert: X509Certificate): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return fromKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

describe('issueDeviceCertificate', () => {
  it('issues a client certificate with CN = device id and OU = device that chains to the CA', async () => {
    const issued = await issueDeviceCertificate(ca, 'site_3:gw-7', { days: 30 });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=site_3:gw-7\nOU=device\nO=Emberwatch');
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(keyMatches(issued.keyPem, cert)).toBe(true);
    expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('gives every certificate its own key and serial number', async () => {
    const [a, b] = await Promise.all([
      issueDeviceCertificate(ca, 'gw-1'),
      issueDeviceCertificate(ca, 'gw-1'),
    ]);
    const [ca1, cb1] = [new X509Certificate(a.certPem), new X509Certificate(b.certPem)];
    expect(ca1.serialNumber).not.toBe(cb1.serialNumber);
    expect(a.keyPem).not.toBe(b.keyPem);
  });

  it('refuses a device id that could not appear in a topic', async () => {
    const error: unknown = await issueDeviceCertificate(ca, 'gw/1').catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_BAD_DEVICE_ID')).toBe(true);
  });

  it('refuses a validity outside 1-3650 whole days', async () => {
    for (const days of [0, 1.5, 4000]) {
      const error: unknown = await issueDeviceCertificate(ca, 'gw-1', { days }).catch((e: unknown) => e);
      expect(isEmberError(error, 'EMBER_ERR_PKI'), String(days)).toBe(true);
    }
  });
});

describe('issueServiceCertificate', () => {
  it('issues a client certificate with OU = service', async () => {
    const issued = await issueServiceCertificate(ca, 'analysis');
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=analysis\nOU=service\nO=Emberwatch');
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
  });
});

describe('issueServerCertificate', () => {
  it('puts DNS names and IP addresses in the SAN as their own types, for server auth only', async () => {
    const issued = await issueServerCertificate(ca, ['localhost', '127.0.0.1', '::1']);
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=localhost\nOU=server\nO=Emberwatch');
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(caCert.publicKey)).toBe(true);
  });

  it('needs at least one hostname', async () => {
    const error: unknown = await issueServerCertificate(ca, []).catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_PKI')).toBe(true);
  });
});

describe('checkIssuedCertificate', () => {
  it('reads CN and role back from a certificate of this CA', async () => {
    const issued = await issueDeviceCertificate(ca, 'gw-1');
    expect(checkIssuedCertificate(ca, issued)).toMatchObject({
      ok: true,
      commonName: 'gw-1',
      role: 'device',
    });
  });

  it('says why a pair cannot be reused', async () => {
    const mine = await issueDeviceCertificate(ca, 'gw-1', { days: 2 });
    const foreign = await issueDeviceCertificate(otherCa, 'gw-1');
    expect(checkIssuedCertificate(ca, foreign)).toEqual({
      ok: false,
      reason: 'the certificate was not issued by this CA',
    });
    expect(checkIssuedCertificate(ca, { keyPem: foreign.keyPem, certPem: mine.certPem })).toEqual({
      ok: false,
      reason: 'the key does not belong to the certificate',
    });
    expect(checkIssuedCertificate(ca, mine, { minRemainingMs: 3 * 86_400_000 })).toEqual({
      ok: false,
      reason: 'the certificate expires too soon',
    });
    expect(checkIssuedCertificate(ca, { keyPem: mine.keyPem, certPem: 'junk' }).ok).toBe(false);
  });
});

describe('writeKeyAndCertificate', () => {
  it('writes the key 0600 and refuses to overwrite when exclusive', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'emberwatch-files-')), 'out');
    const issued = await issueDeviceCertificate(ca, 'gw-1');
    const { keyPath, certPath } = await writeKeyAndCertificate(dir, 'device', issued);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(certPath).mode & 0o777).toBe(0o644);
    const error: unknown = await writeKeyAndCertificate(dir, 'device', issued, { exclusive: true }).catch(
      (e: unknown) => e,
    );
    expect(isEmberError(error, 'EMBER_ERR_PKI')).toBe(true);
  });
});
