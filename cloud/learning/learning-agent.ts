import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { DeviceConfigMessage } from '../../shared/schemas/messages.js';
import { topicFor } from '../../shared/topics.js';
import { type LearningDecision } from '../contracts/cloud-values.js';
import { planFor } from './decision-rules.js';
import { appendFieldWindow, fieldWindowOf, labelIncidentRecordings } from './field-data.js';
import { LearningStore } from './learning-store.js';
import { checkOutcome, learnQueuedOutcomes } from './outcome-queue.js';
import { RetrainQueue } from './retrain-job.js';
import {
  DEFAULT_LEARNING_RULES,
  type LearningAgentOptions,
  type LearningRules,
  type OutcomeInput,
} from './learning-types.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How often the worker that learns looks for outcomes other workers queued. */
const OUTCOME_POLL_MS = 1_000;

interface LearningEvents {
  /** A decision recorded, and again (same id) once its retraining finished. */
  decision: [decision: LearningDecision];
  /** Once per outcome learned, with the verdict behind it. */
  learned: [decision: LearningDecision, input: OutcomeInput];
}

/** What went wrong with a device's new thresholds: the decision's detail key, its text and a sentence. */
interface PolicyProblem {
  readonly key: 'sendError' | 'storeError';
  readonly message: string;
  readonly sentence: string;
}

/**
 * Learns from the outcome of each incident: a false alarm on one device
 * makes that device a notch less sensitive (a DeviceConfigMessage on its
 * config topic); the same false alarm on several devices, or a real fire
 * missed or raised late, adds the labelled window to the field data and
 * retrains, and an approved model is rolled out. Every decision is kept,
 * explained, and logged.
 *
 * Outcomes are queued in the store (`submit`) and learned by the agent
 * that leads: always on its own store; with `shared`, only between
 * `lead()` and `follow()` (the worker holding the learning role), which
 * also takes up the retrainings a previous holder owed.
 */
export class LearningAgent {
  readonly #options: LearningAgentOptions;
  readonly #rules: LearningRules;
  readonly #events = new EventEmitter<LearningEvents>();
  readonly #now: () => number;
  #log: Logger = silentLogger();
  #store: LearningStore | undefined;
  #leading: boolean;
  #poll: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  /** Retraining runs one at a time, after the decision that asked for it is recorded. */
  readonly #retrains: RetrainQueue;
  /** False from taking the role up until the owed retrainings were read. */
  #owedTakenUp = false;

  constructor(options: LearningAgentOptions) {
    this.#options = options;
    this.#rules = { ...DEFAULT_LEARNING_RULES, ...options.rules };
    this.#now = options.now ?? Date.now;
    this.#leading = options.shared !== true;
    this.#retrains = new RetrainQueue({
      retrainer: options.retrainer,
      rollout: options.rollout,
      leading: () => this.#leading && this.#store !== undefined,
      finished: (decision, updated) => {
        if (updated === undefined || this.#store === undefined) {
          this.#log.info({ decision: decision.id }, 'retraining left to the learning role’s new holder');
          return;
        }
        try {
          this.#store.update(updated);
        } catch (error) {
          // Still owed in the store: the next agent to take the role up runs it again.
          this.#log.error({ err: error, decision: decision.id }, 'retraining result not recorded');
          return;
        }
        this.#announce(updated);
      },
    });
  }

  /** Opens the store; a leading agent then learns what is queued and retrains what is owed. */
  start(): Promise<void> {
    if (this.#store !== undefined) return Promise.resolve();
    this.#log = (this.#options.logger ?? silentLogger()).child({ component: 'learning' });
    const { postgresUrl, databaseFile } = this.#options;
    this.#store =
      postgresUrl === undefined
        ? LearningStore.open(databaseFile ?? '')
        : LearningStore.openPostgres(postgresUrl);
    if (this.#leading) this.#takeUp();
    return Promise.resolve();
  }

  /**
   * Waits for the outcome being learned, then closes the database. Alone,
   * it also waits for a retraining in progress; sharing the database, it
   * stops leading first and leaves a retraining owed for the next holder
   * (a retraining takes minutes, longer than a service manager waits for
   * a stop, and the lease must pass on meanwhile).
   */
  async stop(): Promise<void> {
    if (this.#store === undefined) return;
    clearInterval(this.#poll);
    this.#poll = undefined;
    if (this.#options.shared === true) this.#leading = false;
    await this.#draining;
    if (this.#options.shared !== true) await this.idle();
    this.#store.close();
    this.#store = undefined;
  }

  /** Resolves when no outcome is being learned and no retraining is running. */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.#retrains.tail;
      await this.#draining;
      await current;
      if (current === this.#retrains.tail && this.#draining === undefined) return;
    }
  }

  /** With `shared`: this worker holds the learning role from now on. */
  lead(): Promise<void> {
    if (this.#leading) return Promise.resolve();
    this.#leading = true;
    // Not started yet: start() takes the role up, since this worker leads.
    if (this.#store !== undefined) this.#takeUp();
    return Promise.resolve();
  }

  /** With `shared`: another worker learns now; a retraining running here neither rolls out nor records. */
  follow(): Promise<void> {
    if (this.#options.shared !== true || !this.#leading) return Promise.resolve();
    this.#leading = false;
    clearInterval(this.#poll);
    this.#poll = undefined;
    return Promise.resolve();
  }

  on<E extends keyof LearningEvents>(event: E, listener: (...args: LearningEvents[E]) => void): this {
    this.#events.on(event, listener as never);
    return this;
  }

  off<E extends keyof LearningEvents>(event: E, listener: (...args: LearningEvents[E]) => void): this {
    this.#events.off(event, listener as never);
    return this;
  }

  /** Decisions, newest first, from the store (every worker's, when shared). */
  decisions(limit?: number): LearningDecision[] {
    return this.#require().decisions(limit);
  }

  /** One decision by id, from the store. */
  decision(id: string): LearningDecision | undefined {
    return this.#require().decision(id);
  }

  /**
   * Queues an operator's verdict for the agent that leads (this one learns
   * it at once when it leads). Throws EMBER_ERR_BAD_OUTCOME for an outcome
   * that is not one of OUTCOMES; nothing is queued then.
   */
  submit(input: OutcomeInput): void {
    checkOutcome(input);
    this.#require().enqueue(input, this.#now());
    if (this.#leading) void this.#drain();
  }

  /**
   * Decides what to learn from an outcome at once, acts on it and records
   * the decision. A retraining it asks for runs after this resolves; the
   * decision is then updated with its result and emitted again (same id).
   * Throws EMBER_ERR_BAD_OUTCOME for an outcome that is not one of OUTCOMES.
   */
  async handleOutcome(input: OutcomeInput): Promise<LearningDecision> {
    checkOutcome(input);
    const decision = await this.#learn(input, undefined);
    if (decision === undefined) throw new EmberError('EMBER_ERR_NOT_STARTED', 'learning agent stopped');
    return decision;
  }

  #takeUp(): void {
    this.#owedTakenUp = false;
    clearInterval(this.#poll);
    this.#poll = setInterval(() => this.#tick(), this.#options.pollMs ?? OUTCOME_POLL_MS);
    this.#poll.unref();
    this.#tick();
  }

  /** The retrainings a previous leader owed (until read once), then the queued outcomes. */
  #tick(): void {
    if (!this.#owedTakenUp && this.#store !== undefined) {
      try {
        for (const owed of this.#store.owedRetrains()) this.#retrains.add(owed.decision, owed.reason);
        this.#owedTakenUp = true;
      } catch (error) {
        this.#log.warn({ err: error }, 'owed retrainings not read; will retry');
      }
    }
    void this.#drain();
  }

  /** Learns the queued outcomes while this agent leads; one round at a time. */
  #drain(): Promise<void> {
    if (this.#draining !== undefined) return this.#draining;
    this.#draining = learnQueuedOutcomes({
      store: () => (this.#leading ? this.#store : undefined),
      learn: (input, seq) => this.#learn(input, seq),
      log: this.#log,
    })
      .catch((error: unknown) => this.#log.error({ err: error }, 'queued outcomes not read; will retry'))
      .finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  /** One outcome → one recorded decision; undefined when another worker learned this queued one first. */
  async #learn(input: OutcomeInput, fromQueue: number | undefined): Promise<LearningDecision | undefined> {
    const store = this.#require();
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
    // A queued outcome is acted on only while this agent leads: after a hand-over the new leader does.
    const handedOver = (): boolean => fromQueue !== undefined && !this.#leading;
    if (handedOver()) return undefined;
    if (plan.action === 'adjust-rules') {
      const problem = await this.#sendPolicy(deviceId, plan.policy, now);
      if (problem !== undefined) {
        explanation += ` ${problem.sentence}`;
        details[problem.key] = problem.message;
      }
    }
    const fieldWindow = fieldWindowOf(input, now);
    // Every labelled fire and false alarm is kept for training, not only those that retrain now.
    if (fieldWindow !== undefined && !handedOver()) {
      try {
        details['fieldDataFile'] = await appendFieldWindow(this.#options.fieldDataDir, fieldWindow);
      } catch (error) {
        // The decision is recorded all the same: a verdict is never dropped for a full disk.
        this.#log.error({ err: error, incident: input.incident.id }, 'field window not kept');
        details['fieldDataError'] = messageOf(error);
      }
    }
    const { recordingStore, fieldDataDir, retrainer } = this.#options;
    const recordings = await labelIncidentRecordings(recordingStore, fieldDataDir, input, now, this.#log);
    if (recordings !== undefined) details['recordings'] = recordings;
    const retrainReason = plan.action === 'retrain' && retrainer !== undefined ? plan.reason : null;
    if (plan.action === 'retrain')
      details['retrain'] = retrainReason === null ? 'no retrainer configured' : 'queued';
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
        : '';
    if (handedOver()) return undefined;
    const recorded = this.#require().record(
      { decision, deviceId, pattern: pattern === '' ? null : pattern, retrainReason },
      fromQueue,
    );
    if (!recorded) return undefined;
    this.#announce(decision);
    this.#events.emit('learned', decision, input);
    if (retrainReason !== null) this.#retrains.add(decision, retrainReason);
    return decision;
  }

  /** Sends a device its new thresholds and keeps them; what went wrong, for the decision, or undefined. */
  async #sendPolicy(deviceId: string, policy: AlarmPolicy, now: number): Promise<PolicyProblem | undefined> {
    const message: DeviceConfigMessage = { schemaVersion: 1, alarm: policy };
    try {
      await this.#options.publisher.publish(
        topicFor(deviceId, 'config'),
        Buffer.from(JSON.stringify(message)),
      );
    } catch (error) {
      this.#log.warn({ err: error, deviceId }, 'device config not sent');
      const text = messageOf(error);
      return { key: 'sendError', message: text, sentence: `The new thresholds could not be sent: ${text}.` };
    }
    try {
      this.#require().setPolicy(deviceId, policy, now);
      return undefined;
    } catch (error) {
      // The device has them: the decision must not say otherwise.
      this.#log.error({ err: error, deviceId }, 'device config sent but not stored');
      const text = messageOf(error);
      return {
        key: 'storeError',
        message: text,
        sentence: `The new thresholds were sent to the device but not stored: ${text}.`,
      };
    }
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
