import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { DeviceConfigMessage } from '../../shared/schemas/messages.js';
import { topicFor } from '../../shared/topics.js';
import { type LearningDecision } from '../contracts/cloud-values.js';
import { OUTCOMES } from '../../shared/schemas/outcomes.js';
import { planFor, type Plan } from './decision-rules.js';
import { appendFieldWindow, fieldWindowOf } from './field-data.js';
import { labelRecordings } from '../../shared/dataset/field-recordings.js';
import { LearningStore } from './learning-store.js';
import {
  DEFAULT_LEARNING_RULES,
  type LearningAgentOptions,
  type LearningRules,
  type OutcomeInput,
} from './learning-types.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Learns from the outcome of each incident: a false alarm on one device
 * makes that device a notch less sensitive (a DeviceConfigMessage on its
 * config topic); the same false alarm on several devices, or a real fire
 * missed or raised late, adds the labelled window to the field data and
 * retrains, and an approved model is rolled out. Every decision is kept,
 * explained, and logged.
 */
export class LearningAgent {
  readonly #options: LearningAgentOptions;
  readonly #rules: LearningRules;
  readonly #events = new EventEmitter();
  readonly #now: () => number;
  #log: Logger = silentLogger();
  #store: LearningStore | undefined;
  /** Retraining runs one at a time, after the decision that asked for it is recorded. */
  #retraining: Promise<unknown> = Promise.resolve();

  constructor(options: LearningAgentOptions) {
    this.#options = options;
    this.#rules = { ...DEFAULT_LEARNING_RULES, ...options.rules };
    this.#now = options.now ?? Date.now;
  }

  start(): Promise<void> {
    if (this.#store !== undefined) return Promise.resolve();
    this.#log = (this.#options.logger ?? silentLogger()).child({ component: 'learning' });
    this.#store = LearningStore.open(this.#options.databaseFile);
    return Promise.resolve();
  }

  /** Waits for a retraining in progress, then closes the database. */
  async stop(): Promise<void> {
    if (this.#store === undefined) return;
    await this.idle();
    this.#store.close();
    this.#store = undefined;
  }

  /** Resolves when no retraining is running. */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.#retraining;
      await current;
      if (current === this.#retraining) return;
    }
  }

  on(event: 'decision', listener: (decision: LearningDecision) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off(event: 'decision', listener: (decision: LearningDecision) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Copies the device's recordings of this incident into the field data
   * under the operator's outcome (fire, false alarm or test); the files, or
   * what went wrong, for the decision's details. Nothing without a store.
   */
  async #labelRecordings(input: OutcomeInput, now: number): Promise<string[] | string | undefined> {
    const store = this.#options.recordingStore;
    const outcome = input.outcome;
    if (store === undefined || (outcome !== 'fire' && outcome !== 'false-alarm' && outcome !== 'test')) {
      return undefined;
    }
    try {
      const labels = await labelRecordings(store, this.#options.fieldDataDir, {
        incidentId: input.incident.id,
        deviceId: input.incident.deviceId,
        outcome,
        by: input.by,
        at: now,
        deviceTimes: input.window.assessments.map((a) => a.messageTs ?? a.ts),
      });
      return labels.map((l) => l.file);
    } catch (error) {
      this.#log.warn({ err: error, incidentId: input.incident.id }, 'incident recordings not labelled');
      return `not labelled: ${messageOf(error)}`;
    }
  }

  /** Decisions, newest first. */
  decisions(limit?: number): LearningDecision[] {
    return this.#require().decisions(limit);
  }

  /**
   * Decides what to learn from an outcome, acts on it and records the
   * decision. A retraining it asks for runs after this resolves; the
   * decision is then updated with its result and emitted again (same id).
   * Throws EMBER_ERR_BAD_OUTCOME for an outcome that is not one of OUTCOMES.
   */
  async handleOutcome(input: OutcomeInput): Promise<LearningDecision> {
    const store = this.#require();
    if (!(OUTCOMES as readonly string[]).includes(input.outcome)) {
      throw new EmberError(
        'EMBER_ERR_BAD_OUTCOME',
        `outcome ${JSON.stringify(input.outcome)} is not one of ${OUTCOMES.join(', ')}`,
      );
    }
    const deviceId = input.incident.deviceId;
    const now = this.#now();
    const policy = store.policyOf(deviceId) ?? this.#options.basePolicy?.(deviceId) ?? DEFAULT_ALARM_POLICY;
    const since = now - this.#rules.repeatWindowH * 3_600_000;
    const plan = planFor(input, {
      policy,
      pastFalseAlarms: store.falseAlarms(since),
      now,
      rules: this.#rules,
    });
    let explanation = plan.explanation;
    const details: Record<string, unknown> = { ...plan.details, by: input.by };
    if (input.note !== undefined) details['note'] = input.note;
    if (plan.action === 'adjust-rules') {
      const sent = await this.#sendPolicy(deviceId, plan.policy, now);
      if (sent !== undefined) {
        explanation += ` The new thresholds could not be sent: ${sent}.`;
        details['sendError'] = sent;
      }
    }
    const fieldWindow = fieldWindowOf(input, now);
    // Every labelled fire and false alarm is kept for training, not only those that retrain now.
    if (fieldWindow !== undefined) {
      details['fieldDataFile'] = await appendFieldWindow(this.#options.fieldDataDir, fieldWindow);
    }
    const recordings = await this.#labelRecordings(input, now);
    if (recordings !== undefined) details['recordings'] = recordings;
    if (plan.action === 'retrain') {
      details['retrain'] = this.#options.retrainer === undefined ? 'no retrainer configured' : 'queued';
    }
    const decision: LearningDecision = {
      id: randomUUID(),
      ts: now,
      incidentId: input.incident.id,
      outcome: input.outcome,
      action: plan.action,
      explanation,
      details,
    };
    const pattern =
      typeof plan.details['pattern'] === 'string' && input.outcome === 'false-alarm'
        ? plan.details['pattern']
        : null;
    store.insert(decision, deviceId, pattern === '' ? null : pattern);
    this.#announce(decision);
    if (plan.action === 'retrain' && this.#options.retrainer !== undefined)
      this.#queueRetrain(decision, plan);
    return decision;
  }

  async #sendPolicy(deviceId: string, policy: AlarmPolicy, now: number): Promise<string | undefined> {
    const message: DeviceConfigMessage = { schemaVersion: 1, alarm: policy };
    try {
      await this.#options.publisher.publish(
        topicFor(deviceId, 'config'),
        Buffer.from(JSON.stringify(message)),
      );
      this.#require().setPolicy(deviceId, policy, now);
      return undefined;
    } catch (error) {
      this.#log.warn({ err: error, deviceId }, 'device config not sent');
      return messageOf(error);
    }
  }

  #queueRetrain(decision: LearningDecision, plan: Plan & { action: 'retrain' }): void {
    const run = async (): Promise<void> => {
      const retrainer = this.#options.retrainer;
      if (retrainer === undefined) return;
      const details: Record<string, unknown> = { ...decision.details };
      let explanation = decision.explanation;
      try {
        const result = await retrainer.retrain(plan.reason);
        details['retrain'] = {
          version: result.version,
          approved: result.approved,
          notes: result.notes ?? [],
        };
        details['verdict'] = result.verdict;
        if (!result.approved) {
          explanation += ` Model ${result.version} was trained but the registry gate refused it; the fleet keeps its model.`;
        } else if (this.#options.rollout === undefined) {
          explanation += ` Model ${result.version} passed the gate; no rollout is configured.`;
        } else {
          try {
            const rollout = await this.#options.rollout.start({ version: result.version });
            details['rolloutId'] = rollout.id;
            explanation += ` Model ${result.version} passed the gate and is rolling out (${rollout.id}).`;
          } catch (error) {
            details['rolloutError'] = messageOf(error);
            explanation += ` Model ${result.version} passed the gate but its rollout did not start: ${messageOf(error)}.`;
          }
        }
      } catch (error) {
        details['retrain'] = { error: messageOf(error) };
        explanation += ` Retraining failed: ${messageOf(error)}.`;
      }
      if (this.#store === undefined) return;
      const updated = { ...decision, explanation, details };
      this.#store.update(updated);
      this.#announce(updated);
    };
    this.#retraining = this.#retraining.then(run, run);
  }

  #announce(decision: LearningDecision): void {
    this.#log.info(
      {
        decision: decision.id,
        incident: decision.incidentId,
        outcome: decision.outcome,
        action: decision.action,
      },
      decision.explanation,
    );
    this.#events.emit('decision', decision);
  }

  #require(): LearningStore {
    if (this.#store === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'learning agent used before start() or after stop()');
    }
    return this.#store;
  }
}
