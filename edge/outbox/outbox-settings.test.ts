import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { resolveDrainerSettings } from './drainer-settings.js';
import { DEFAULT_QUOTA_BYTES, DEFAULT_RESERVE_BYTES, resolveOutboxSettings } from './outbox-settings.js';

function codeAndMessage(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    return isEmberError(error) ? `${error.code}: ${error.message}` : 'other error';
  }
  return 'no error';
}

describe('outbox and drainer settings', () => {
  it('fills defaults: 200 MiB quota, ceiling a quarter above, 4 MiB reserve, IoT Core-safe publish rate', () => {
    expect(resolveOutboxSettings({ path: '/var/lib/emberwatch/outbox.db' })).toEqual({
      path: '/var/lib/emberwatch/outbox.db',
      quotaBytes: DEFAULT_QUOTA_BYTES,
      hardCeilingBytes: Math.floor(DEFAULT_QUOTA_BYTES * 1.25),
      commitWindowMs: 0,
      reserveBytes: DEFAULT_RESERVE_BYTES,
    });
    const drainer = resolveDrainerSettings({});
    expect(drainer.publishesPerSecond + drainer.burst).toBeLessThanOrEqual(100);
    expect(drainer.backoff.initialMs).toBe(1000);
  });

  it('names the bad field with EMBER_ERR_BAD_CONFIG', () => {
    expect(
      codeAndMessage(() => resolveOutboxSettings({ path: 'x', quotaBytes: 100, hardCeilingBytes: 50 })),
    ).toMatch(/^EMBER_ERR_BAD_CONFIG: outbox\.hardCeilingBytes/);
    expect(codeAndMessage(() => resolveDrainerSettings({ backoff: { jitter: 2 } }))).toMatch(
      /^EMBER_ERR_BAD_CONFIG: drainer\.backoff\.jitter/,
    );
  });
});
