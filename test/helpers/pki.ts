import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCa, type CertificateAuthority } from '../../shared/pki/certificate-authority.js';
import type { KeyAndCertificate } from '../../shared/pki/certificate-files.js';
import {
  issueDeviceCertificate,
  issueServerCertificate,
  issueServiceCertificate,
} from '../../shared/pki/issue-certificate.js';

/** A throw-away CA in a temporary folder, with a broker certificate and a second, untrusted CA. */
export interface TestPki {
  readonly dir: string;
  readonly ca: CertificateAuthority;
  /** A CA the broker does not trust, for certificates that must be refused. */
  readonly foreignCa: CertificateAuthority;
  /** The broker's certificate, for localhost and 127.0.0.1. */
  readonly server: KeyAndCertificate;
  device(deviceId: string): Promise<KeyAndCertificate>;
  service(name: string): Promise<KeyAndCertificate>;
  remove(): Promise<void>;
}

export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-pki-'));
  const [ca, foreignCa] = await Promise.all([ensureCa(join(dir, 'ca')), ensureCa(join(dir, 'foreign'))]);
  const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
  return {
    dir,
    ca,
    foreignCa,
    server,
    device: (deviceId) => issueDeviceCertificate(ca, deviceId, { days: 1 }),
    service: (name) => issueServiceCertificate(ca, name, { days: 1 }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
