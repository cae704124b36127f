import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { ensureCa } from './certificate-authority.js';
import { issueDeviceCertificate } from './issue-certificate.js';

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'emberwatch-ca-')), 'ca');
}

async function expectPkiError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEmberError(error, 'EMBER_ERR_PKI'), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('ensureCa', () => {
  it('creates a self-signed P-256 CA with a private key readable by its owner only', async () => {
    const dir = freshDir();
    const ca = await ensureCa(dir);
    expect(ca.certPath).toBe(join(dir, 'ca.crt'));
    expect(statSync(ca.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Emberwatch local CA\nO=Emberwatch');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('reuses the CA on later calls, so earlier certificates still verify', async () => {
    const dir = freshDir();
    const first = await ensureCa(dir);
    const device = await issueDeviceCertificate(first, 'gw-1');
    const second = await ensureCa(dir);
    expect(second.certPem).toBe(first.certPem);
    const issued = new X509Certificate(device.certPem);
    expect(issued.verify(new X509Certificate(second.certPem).publicKey)).toBe(true);
  });

  it('gives the same CA to concurrent first callers', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([ensureCa(dir), ensureCa(dir)]);
    expect(a.certPem).toBe(b.certPem);
  });

  it('refuses a key without its certificate instead of silently making a new CA', async () => {
    const dir = freshDir();
    const ca = await ensureCa(dir);
    unlinkSync(ca.certPath);
    await expectPkiError(ensureCa(dir), /ca\.crt is missing/);
  });

  it('refuses a certificate that does not belong to the key next to it', async () => {
    const dir = freshDir();
    const other = await ensureCa(freshDir());
    const ca = await ensureCa(dir);
    writeFileSync(ca.certPath, other.certPem);
    await expectPkiError(ensureCa(dir), /does not belong to the key/);
  });

  it('refuses a CA file that is not PEM', async () => {
    const dir = freshDir();
    const ca = await ensureCa(dir);
    writeFileSync(ca.certPath, 'not a certificate');
    await expectPkiError(ensureCa(dir), /cannot be parsed/);
  });
});
