import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { OperatorAlert } from '../contracts/cloud-values.js';
import { WebhookNotifier, type WebhookSender } from '../response/webhook-notifier.js';
import {
  AlertRuleSettings,
  alertKey,
  diffConditions,
  evaluateAlertRules,
  type AlertRuleSettingsInput,
  type OutboxHistory,
} from './alert-rules.js';
import { activeAlertsEmf } from './embedded-metrics.js';
import type { AlertView, FleetView, RolloutView } from './fleet-views.js';

export interface OperatorAlertsEvents {
  /** An alert was raised (active) or cleared (active false, same id). */
  alert: [alert: OperatorAlert];
}

export interface OperatorAlertsOptions {
  readonly settings: AlertRuleSettingsInput;
  readonly fleet: FleetView;
  /** Without it the rollout rule never fires. */
  readonly rollouts?: RolloutView;
  /** By default a {@link WebhookNotifier} with the settings' `delivery`. */
  readonly notifier?: WebhookSender;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Evaluates the alert rules every `evaluateEveryS` over the fleet and the
 * rollouts, raises each alert once, clears it when its condition ends, and
 * tells the operator targets about both.
 */
export class OperatorAlerts extends EventEmitter<OperatorAlertsEvents> implements AlertView {
  readonly #settings: AlertRuleSettings;
  readonly #fleet: FleetView;
  readonly #rollouts: RolloutView | undefined;
  readonly #notifier: WebhookSender;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #active = new Map<string, OperatorAlert>();
  #cleared: OperatorAlert[] = [];
  #history: OutboxHistory = new Map();
  #interval: ReturnType<typeof setInterval> | undefined;
  #abort: AbortController | undefined;

  constructor(options: OperatorAlertsOptions) {
    super();
    this.#settings = AlertRuleSettings.parse(options.settings);
    this.#fleet = options.fleet;
    this.#rollouts = options.rollouts;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'operator-alerts' });
    this.#notifier =
      options.notifier ?? new WebhookNotifier({ settings: this.#settings.delivery, logger: options.logger });
    this.#now = options.now ?? (() => Date.now());
  }

  start(): Promise<void> {
    if (this.#interval !== undefined) return Promise.resolve();
    this.#abort = new AbortController();
    this.#interval = setInterval(() => void this.evaluate(), this.#settings.evaluateEveryS * 1000);
    return Promise.resolve();
  }

  /** Stops evaluating and cancels notifications in flight; alerts() keeps the last picture. */
  stop(): Promise<void> {
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#interval = undefined;
    this.#abort?.abort();
    this.#abort = undefined;
    return Promise.resolve();
  }

  /** Active alerts first (oldest first), then recently cleared ones (newest first). */
  alerts(): OperatorAlert[] {
    return [...this.#active.values(), ...this.#cleared];
  }

  /**
   * Evaluates the rules once (the interval calls this) and resolves with the
   * alerts raised or cleared, once their notifications have been answered
   * or given up. Never rejects.
   */
  async evaluate(): Promise<readonly OperatorAlert[]> {
    const now = this.#now();
    let changes: OperatorAlert[];
    try {
      changes = this.#apply(now);
    } catch (error) {
      this.#log.error({ err: error }, 'alert rules could not be evaluated');
      return [];
    }
    for (const alert of changes) {
      this.#log.warn({ rule: alert.rule, subject: alert.subject, active: alert.active }, alert.message);
      this.emit('alert', alert);
    }
    const namespace = this.#settings.cloudWatchNamespace;
    if (namespace !== undefined) {
      const active: Record<string, number> = {};
      for (const alert of this.#active.values()) active[alert.rule] = (active[alert.rule] ?? 0) + 1;
      this.#log.info(activeAlertsEmf(namespace, active, now), 'operator alerts active');
    }
    await Promise.all(changes.map((alert) => this.#notify(alert)));
    return changes;
  }

  #apply(now: number): OperatorAlert[] {
    const activeKeys = new Set(this.#active.keys());
    const result = evaluateAlertRules(
      {
        now,
        devices: this.#fleet.devices(),
        rollouts: this.#rollouts?.list() ?? [],
        history: this.#history,
        active: activeKeys,
      },
      this.#settings,
    );
    this.#history = result.history;
    const { raised, cleared } = diffConditions(activeKeys, result.conditions);
    const changes: OperatorAlert[] = [];
    for (const key of cleared) {
      const alert = this.#active.get(key);
      if (alert === undefined) continue;
      this.#active.delete(key);
      const done: OperatorAlert = { ...alert, ts: now, active: false };
      this.#cleared = [done, ...this.#cleared].slice(0, this.#settings.keepCleared);
      changes.push(done);
    }
    for (const condition of raised) {
      const alert: OperatorAlert = { id: randomUUID(), ...condition, ts: now, active: true };
      this.#active.set(alertKey(condition.rule, condition.subject), alert);
      changes.push(alert);
    }
    return changes;
  }

  async #notify(alert: OperatorAlert): Promise<void> {
    const signal = this.#abort?.signal;
    const type = alert.active ? 'operator-alert.raised' : 'operator-alert.cleared';
    await Promise.all(
      this.#settings.notify.map(async (target) => {
        try {
          await this.#notifier.deliver(
            target,
            { type, alert },
            { event: type, purpose: 'operator', ...(signal ? { signal } : {}) },
          );
        } catch (error) {
          this.#log.error({ err: error, alertId: alert.id }, 'operator alert notification failed');
        }
      }),
    );
  }
}
