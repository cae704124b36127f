import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDeviceCertificate, issueServerCertificate } from '../shared/pki/issue-certificate.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { waitFor } from './helpers/wait.js';

let fixture: BrokerFixture;

beforeAll(async () => {
  fixture = await startBrokerFixture();
});

afterAll(async () => {
  await fixture.stop();
});

/** Opens a client and reports whether it ever got a CONNACK before the connection closed. */
async function outcome(client: MqttClient): Promise<{ connected: boolean; error: string | undefined }> {
  let error: string | undefined;
  client.on('error', (e) => (error ??= e.message));
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ connected: true, error }));
    client.once('close', () => resolve({ connected: false, error }));
  });
}

describe('embedded broker: TLS client authentication', () => {
  it('refuses a client without a certificate during the TLS handshake', async () => {
    const result = await outcome(fixture.open(undefined, { clientId: 'gw-a' }));
    expect(result.connected).toBe(false);
    expect(result.error).toMatch(/certificate required|alert|ECONNRESET|socket/i);
    await waitFor('the refusal in the broker log', () =>
      fixture.logs.some((l) => l.msg === 'TLS handshake refused'),
    );
  });

  it('refuses a device certificate issued by another CA', async () => {
    const foreign = await issueDeviceCertificate(fixture.pki.foreignCa, 'gw-a');
    const result = await outcome(fixture.open(foreign, { clientId: 'gw-a' }));
    expect(result.connected).toBe(false);
    expect(fixture.logs.some((l) => l.msg === 'client connected' && l['deviceId'] === 'gw-a')).toBe(false);
  });

  it('refuses a certificate of our CA that is made for servers, not clients', async () => {
    const serverCert = await issueServerCertificate(fixture.pki.ca, ['gw-a']);
    const result = await outcome(fixture.open(serverCert, { clientId: 'gw-a' }));
    expect(result.connected).toBe(false);
  });

  it('accepts a device certificate of our CA over the same path', async () => {
    const result = await outcome(fixture.open(await fixture.pki.device('gw-a'), { clientId: 'gw-a' }));
    expect(result).toEqual({ connected: true, error: undefined });
  });

  it('is verified by clients: a client trusting another CA refuses the broker', async () => {
    const result = await outcome(
      fixture.open(await fixture.pki.device('gw-a'), { clientId: 'gw-a', ca: fixture.pki.foreignCa.certPem }),
    );
    expect(result.connected).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
