import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD, startTestAccess } from '../cloud/api/access.test-helper.js';
import { CloudApi } from '../cloud/api/cloud-api.js';
import { MemoryPorts } from '../cloud/api/memory-ports.test-helper.js';
import { createLogger } from '../shared/logging.js';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import { issueServerCertificate } from '../shared/pki/issue-certificate.js';

function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
}

describe('the cloud API over TLS', () => {
  it('serves HTTPS and marks the session cookie Secure under the __Host- prefix', async () => {
    const ca = await ensureCa(join(mkdtempSync(join(tmpdir(), 'ember-api-tls-')), 'ca'));
    const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
    const auth = await startTestAccess();
    const api = new CloudApi({
      ports: new MemoryPorts(),
      access: auth.access,
      csrfKey: auth.csrfKey,
      tls: { keyPem: server.keyPem, certPem: server.certPem },
    });
    try {
      await api.start();
      expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const url = new URL('/v1/session', api.url);
      const setCookie = await new Promise<string[]>((resolve, reject) => {
        const request = httpsRequest(
          url,
          { method: 'POST', ca: ca.certPem, headers: { 'content-type': 'application/json' } },
          (response) => {
            response.resume();
            expect(response.statusCode).toBe(200);
            resolve(response.headers['set-cookie'] ?? []);
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ username: 'viewer-1', password: TEST_PASSWORD }));
      });
      const session = setCookie.find((c) => c.startsWith('__Host-ew_session='));
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/; HttpOnly/);
      expect(session).toMatch(/; Path=\//);
    } finally {
      await api.stop();
      await auth.dispose();
    }
  });

  it('warns when it listens beyond loopback without TLS', async () => {
    const lines: string[] = [];
    const auth = await startTestAccess();
    const api = new CloudApi({
      ports: new MemoryPorts(),
      access: auth.access,
      csrfKey: auth.csrfKey,
      host: '0.0.0.0',
      logger: createLogger({ pretty: false, level: 'info', destination: logSink(lines) }),
    });
    try {
      await api.start();
      const warning = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.level === 40);
      expect(warning?.msg).toMatch(/beyond loopback without TLS/);
    } finally {
      await api.stop();
      await auth.dispose();
    }
  });
});
