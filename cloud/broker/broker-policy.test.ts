import { describe, expect, it } from 'vitest';
import { connectRefusal, publishRefusal, subscribeRefusal } from './broker-policy.js';
import type { ClientIdentity } from './client-identity.js';

const device: ClientIdentity = { name: 'gw-1', role: 'device' };
const service: ClientIdentity = { name: 'analysis', role: 'service' };

describe('connectRefusal', () => {
  it('requires a device client id equal to its certificate CN', () => {
    expect(connectRefusal(device, 'gw-1', undefined)).toBeUndefined();
    expect(connectRefusal(device, 'gw-2', undefined)).toBe('client id differs from the certificate CN');
    expect(connectRefusal(device, '', undefined)).toBe('client id differs from the certificate CN');
  });

  it("accepts the CN, '#' and a short suffix, so a second client of one gateway keeps its own session", () => {
    expect(connectRefusal(device, 'gw-1#emberwatch', undefined)).toBeUndefined();
    expect(connectRefusal(device, 'gw-1#', undefined)).toBe('client id differs from the certificate CN');
    expect(connectRefusal(device, 'gw-2#emberwatch', undefined)).toBe(
      'client id differs from the certificate CN',
    );
    expect(connectRefusal(device, 'gw-1#a/b', undefined)).toBe('client id differs from the certificate CN');
    expect(connectRefusal(device, `gw-1#${'x'.repeat(33)}`, undefined)).toBe(
      'client id differs from the certificate CN',
    );
  });

  it('lets services choose their client id, since several instances of one service may run', () => {
    expect(connectRefusal(service, 'analysis-7f3a', undefined)).toBeUndefined();
  });

  it('accepts a will only on a topic the client may publish', () => {
    expect(connectRefusal(device, 'gw-1', 'emberwatch/v1/gw-1/status')).toBeUndefined();
    expect(connectRefusal(device, 'gw-1', 'emberwatch/v1/gw-2/status')).toBe(
      'last will topic is not one the client may publish',
    );
    expect(connectRefusal(service, 'analysis', 'emberwatch/v1/services/analysis')).toBeUndefined();
    expect(connectRefusal(service, 'analysis', 'elsewhere')).toBeDefined();
  });
});

describe('publishRefusal and subscribeRefusal', () => {
  it('apply the device policy to devices', () => {
    expect(publishRefusal(device, 'emberwatch/v1/gw-1/anomaly')).toBeUndefined();
    expect(publishRefusal(device, 'emberwatch/v1/gw-2/anomaly')).toBe('publish outside the device policy');
    expect(subscribeRefusal(device, 'emberwatch/v1/gw-1/model/offer')).toBeUndefined();
    expect(subscribeRefusal(device, 'emberwatch/v1/+/model/offer')).toBe(
      'subscribe outside the device policy',
    );
  });

  it('give services everything under emberwatch/v1/ and nothing outside', () => {
    expect(publishRefusal(service, 'emberwatch/v1/gw-2/config')).toBeUndefined();
    expect(subscribeRefusal(service, 'emberwatch/v1/#')).toBeUndefined();
    expect(subscribeRefusal(service, 'emberwatch/v1/+/anomaly')).toBeUndefined();
    expect(publishRefusal(service, '$SYS/x')).toBe('publish outside emberwatch/v1/');
    expect(subscribeRefusal(service, '#')).toBe('subscribe outside emberwatch/v1/');
  });
});
