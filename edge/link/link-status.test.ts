import { describe, expect, it } from 'vitest';
import { LinkStatus, birthStatus, stoppedStatus, willStatus } from './link-status.js';

const context = { deviceId: 'gw-1', softwareVersion: '1.2.3', protocol: 'mqtt5' as const };
const now = new Date('2025-06-01T12:00:00.000Z');

function decode(payload: Buffer): LinkStatus {
  return LinkStatus.parse(JSON.parse(payload.toString('utf8')));
}

describe('status payloads', () => {
  it('birth: online with a timestamp', () => {
    expect(decode(birthStatus(context, now))).toEqual({
      state: 'online',
      deviceId: 'gw-1',
      ts: '2025-06-01T12:00:00.000Z',
      version: '1.2.3',
      protocol: 'mqtt5',
    });
  });

  it('a clean stop and a lost connection are both offline, told apart by reason', () => {
    expect(decode(stoppedStatus(context, now))).toMatchObject({
      state: 'offline',
      reason: 'stopped',
      ts: now.toISOString(),
    });
    const will = decode(willStatus(context));
    expect(will).toMatchObject({ state: 'offline', reason: 'lost' });
    // Fixed at CONNECT time, a timestamp in the will would be wrong by the length of the session.
    expect(will.ts).toBeUndefined();
  });
});
