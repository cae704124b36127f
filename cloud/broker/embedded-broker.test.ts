import { mkdtempSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { ensureCa, type CertificateAuthority } from '../../shared/pki/certificate-authority.js';
import type { KeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { issueServerCertificate } from '../../shared/pki/issue-certificate.js';
import { EmbeddedBroker } from './embedded-broker.js';

let ca: CertificateAuthority;
let server: KeyAndCertificate;

beforeAll(async () => {
  ca = await ensureCa(join(mkdtempSync(join(tmpdir(), 'emberwatch-broker-')), 'ca'));
  server = await issueServerCertificate(ca);
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('EmbeddedBroker lifecycle', () => {
  it('does nothing until start() and has no port before it', async () => {
    const broker = new EmbeddedBroker({ caPem: ca.certPem, server, port: 0 });
    expect(() => broker.port).toThrow(/not started/);
    await broker.stop();
  });

  it('binds a free port with port 0, reports its URL, and frees it on stop()', async () => {
    const broker = new EmbeddedBroker({ caPem: ca.certPem, server, port: 0 });
    await broker.start();
    const { port } = broker;
    expect(port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtts://127.0.0.1:${port}`);
    expect(await canConnect(port)).toBe(true);
    await broker.stop();
    expect(await canConnect(port)).toBe(false);
  });

  it('stops even while a connection is stuck before its TLS handshake', async () => {
    const broker = new EmbeddedBroker({ caPem: ca.certPem, server, port: 0 });
    await broker.start();
    const socket = netConnect(broker.port, '127.0.0.1');
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    await broker.stop();
    await socketClosed;
    expect(socket.destroyed).toBe(true);
  });

  it('reports a taken port as EMBER_ERR_BROKER_LISTEN, retryable', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const broker = new EmbeddedBroker({ caPem: ca.certPem, server, port });
    try {
      const error: unknown = await broker.start().catch((e: unknown) => e);
      expect(isEmberError(error, 'EMBER_ERR_BROKER_LISTEN')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect((error as Error).message).toContain(`127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
