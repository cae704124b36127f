import type { DeviceState } from '../../cloud/contracts/cloud-values.js';

/** A quiet, online device as the fleet state reports it; tests override what they look at. */
export function deviceStateFixture(overrides: Partial<DeviceState> = {}): DeviceState {
  return {
    deviceId: 'gw-1',
    zone: 'kitchen',
    online: true,
    lastSeen: Date.now(),
    level: 'none',
    probability: 0,
    model: 'rules',
    modelStatus: 'active',
    outboxMessages: 0,
    outboxOldestAgeS: 0,
    sensors: {},
    decodeErrorRate: 0,
    levels: {},
    thermalPngBase64: null,
    risk: 'none',
    trouble: [],
    ...overrides,
  };
}
