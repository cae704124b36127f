import { describe, expect, it } from 'vitest';
import { readCloudMessage } from './cloud-message.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('readCloudMessage', () => {
  it('hands an offer body on unchecked: the model updater checks and reports it', () => {
    const body = { id: 'o-1', anything: true };
    expect(readCloudMessage('emberwatch/v1/gw-1/model/offer', json(body))).toEqual({ kind: 'offer', body });
  });

  it('reads a config message, including null (back to the configured policy)', () => {
    expect(readCloudMessage('emberwatch/v1/gw-1/config', json({ schemaVersion: 1, alarm: null }))).toEqual({
      kind: 'config',
      config: { schemaVersion: 1, alarm: null },
    });
  });

  it('refuses a config message that fails its schema, naming the field', () => {
    const message = readCloudMessage('emberwatch/v1/gw-1/config', json({ schemaVersion: 2 }));
    expect(message).toMatchObject({ kind: 'ignored', path: 'schemaVersion' });
  });

  it('ignores bytes that are not JSON and topics that are not for the agent', () => {
    expect(readCloudMessage('emberwatch/v1/gw-1/config', Buffer.from([0xff, 0x00, 0x7b]))).toEqual({
      kind: 'ignored',
      reason: 'not JSON',
    });
    expect(readCloudMessage('emberwatch/v1/gw-1/status', json({ state: 'online' })).kind).toBe('ignored');
  });
});
