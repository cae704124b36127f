import { z } from 'zod';

/**
 * Where a notification goes. `headers` are sent as given (an API key for a
 * chat or paging service, say); `secret` signs the body and never leaves the
 * process.
 */
export const WebhookTarget = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  headers: z.record(z.string().min(1), z.string()).optional(),
  secret: z.string().min(1).optional(),
});
export type WebhookTarget = z.infer<typeof WebhookTarget>;

/** How hard the notifier tries before it gives up on one delivery. */
export const WebhookDeliverySettings = z.strictObject({
  /** Each attempt is aborted after this long. */
  timeoutMs: z.number().int().positive().default(5000),
  /** Attempts in all, the first included. */
  attempts: z.number().int().min(1).max(20).default(5),
  /** The backoff ceiling before the first retry; it doubles per retry up to maxDelayMs. */
  initialDelayMs: z.number().int().min(0).default(500),
  /** No wait between attempts is longer, Retry-After included. */
  maxDelayMs: z.number().int().min(0).default(30_000),
});
export type WebhookDeliverySettings = z.infer<typeof WebhookDeliverySettings>;
export type WebhookDeliverySettingsInput = z.input<typeof WebhookDeliverySettings>;

/**
 * The URL as it may appear in logs and errors: scheme, host and path. The
 * query string and any user-info are dropped because webhook services put
 * their tokens there.
 */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export type AttemptVerdict = 'delivered' | 'retry' | 'give-up';

/** 2xx delivered; 408, 429 and 5xx may pass later; any other status never will. */
export function verdictForStatus(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'give-up';
}

/**
 * The wait a Retry-After header asks for, in milliseconds: delta-seconds or
 * an HTTP date. Null when the header is missing or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
