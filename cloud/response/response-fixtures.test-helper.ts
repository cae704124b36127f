import { EmberError } from '../../shared/errors.js';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Incident, IncidentState } from '../contracts/cloud-values.js';
import type { ResponseClock } from './response-agent.js';
import type { DeliverOptions, WebhookSender } from './webhook-notifier.js';
import type { WebhookTarget } from './webhook-target.js';

/** Timers that fire only when the test moves time on. */
export class ManualClock implements ResponseClock {
  time = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.time + delayMs, callback });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  pending(): number {
    return this.#timers.size;
  }
  async advanceTo(at: number): Promise<void> {
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, timer]) => timer.at <= at)
        .sort((a, b) => a[1].at - b[1].at);
      const first = due[0];
      if (first === undefined) break;
      this.#timers.delete(first[0]);
      this.time = first[1].at;
      first[1].callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = at;
  }
}

export class RecordingSender implements WebhookSender {
  readonly sent: { url: string; event: string; purpose: string; payload: Record<string, unknown> }[] = [];
  failUrls = new Set<string>();
  deliver(target: WebhookTarget, payload: unknown, options: DeliverOptions): Promise<unknown> {
    this.sent.push({
      url: target.url,
      event: options.event,
      purpose: options.purpose,
      payload: payload as Record<string, unknown>,
    });
    if (this.failUrls.has(target.url)) return Promise.reject(new EmberError('EMBER_ERR_WEBHOOK', 'HTTP 500'));
    return Promise.resolve({ delivered: true });
  }
}

/** The webhooks and timings the agent tests run with. */
export const TEST_RESPONSE_SETTINGS = {
  notify: [{ url: 'http://notify.test/hook' }],
  emergency: [{ url: 'http://emergency.test/hook' }],
  escalation: [{ url: 'http://escalation.test/hook' }],
  repeatEveryS: 60,
  escalateAfterS: 150,
  maxRepeats: 5,
};

/** An incident of `level` in `state`; acknowledged or resolved ones were acknowledged by dana. */
export function incident(level: AlarmLevel, state: IncidentState = 'open', id = 'inc-7'): Incident {
  return {
    id,
    deviceId: 'gw-1',
    zone: 'kitchen',
    level,
    state,
    openedAt: 0,
    updatedAt: 0,
    acknowledgedAt: state === 'open' ? null : 1,
    acknowledgedBy: state === 'open' ? null : 'dana',
    resolvedAt: state === 'resolved' ? 2 : null,
    outcome: null,
    reasons: ['probability 0.93 from model gbdt'],
    assessments: 1,
    messageIds: ['m1'],
  };
}
