import { describe, expect, it } from 'vitest';
import {
  WebhookDeliverySettings,
  WebhookTarget,
  describeTarget,
  retryAfterMs,
  verdictForStatus,
} from './webhook-target.js';

describe('webhook targets', () => {
  it('accepts http and https URLs and refuses others, naming the field', () => {
    expect(WebhookTarget.parse({ url: 'https://hooks.example.com/x' }).url).toBe(
      'https://hooks.example.com/x',
    );
    const result = WebhookTarget.safeParse({ url: 'ftp://example.com/' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['url']);
  });

  it('drops the query string and credentials when describing a target', () => {
    expect(describeTarget('https://user:pw@hooks.example.com/a/b?token=s3cret#x')).toBe(
      'https://hooks.example.com/a/b',
    );
    expect(describeTarget('not a url')).toBe('(invalid URL)');
  });

  it('classifies HTTP statuses', () => {
    expect([200, 204, 299].map(verdictForStatus)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 503].map(verdictForStatus)).toEqual(['retry', 'retry', 'retry', 'retry']);
    expect([301, 400, 401, 404, 410].map(verdictForStatus)).toEqual([
      'give-up',
      'give-up',
      'give-up',
      'give-up',
      'give-up',
    ]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 20_000)).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });

  it('has sane delivery defaults', () => {
    expect(WebhookDeliverySettings.parse({})).toEqual({
      timeoutMs: 5000,
      attempts: 5,
      initialDelayMs: 500,
      maxDelayMs: 30_000,
    });
  });
});
