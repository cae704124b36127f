import { describe, expect, it } from 'vitest';
import { credentialsOf, resolveLinkSettings, type LinkSettingsInput } from './link-settings.js';

const base: LinkSettingsInput = {
  deviceId: 'gw-1',
  host: 'example.iot.eu-west-1.amazonaws.com',
  certPem: 'C',
  keyPem: 'K',
};

describe('resolveLinkSettings', () => {
  it('fills the defaults: MQTT 3.1.1 on 8883, IoT Core flow control, 1 s to 60 s reconnects', () => {
    expect(resolveLinkSettings(base)).toMatchObject({
      port: 8883,
      protocol: 'mqtt311',
      keepAliveSeconds: 30,
      flowControl: 'aws-iot-core',
      reconnect: { minMs: 1000, maxMs: 60_000 },
    });
  });

  it.each([
    [{ ...base, deviceId: 'gw/1' }, /link\.deviceId/],
    [{ ...base, certPem: undefined, certPath: '/c.pem' }, /both be PEM text or both be file paths/],
    [{ ...base, keyPath: '/k.pem' }, /link\.keyPem: give keyPem or keyPath, not both/],
    [{ ...base, keyPem: undefined }, /link\.keyPem: keyPem or keyPath is required/],
    [{ ...base, reconnect: { minMs: 5000, maxMs: 1000 } }, /link\.reconnect\.minMs/],
    [{ ...base, pingTimeoutMs: 30_000 }, /link\.pingTimeoutMs/],
    [{ ...base, protocol: 'mqtt3' }, /link\.protocol/],
  ])('refuses %o with EMBER_ERR_BAD_CONFIG naming the field', (input, message) => {
    expect(() => resolveLinkSettings(input as LinkSettingsInput)).toThrow(message);
  });

  it('never puts a key into its error message', () => {
    const secret = '-----BEGIN PRIVATE KEY-----secret';
    let caught: unknown;
    try {
      resolveLinkSettings({ ...base, keyPem: secret, keyPath: '/k' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'EMBER_ERR_BAD_CONFIG' });
    expect(String(caught)).not.toContain('secret');
  });

  it('tells where the credentials come from', () => {
    expect(credentialsOf(resolveLinkSettings(base))).toEqual({ from: 'memory', certPem: 'C', keyPem: 'K' });
    const files = resolveLinkSettings({ deviceId: 'gw-1', host: 'h', certPath: '/c', keyPath: '/k' });
    expect(credentialsOf(files)).toEqual({ from: 'files', certPath: '/c', keyPath: '/k' });
  });
});
