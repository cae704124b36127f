import { z } from 'zod';
import type { DeviceState, RolloutProgress } from '../contracts/cloud-values.js';
import { WebhookDeliverySettings, WebhookTarget } from '../response/webhook-target.js';

export const ALERT_RULES = ['device-offline', 'outbox-backlog', 'rollout-failed', 'decode-errors'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/**
 * Settings of the operator alert rules, embedded in the cloud configuration
 * file. Durations are seconds.
 */
export const AlertRuleSettings = z.strictObject({
  evaluateEveryS: z.number().positive().default(15),
  /** A device not online, or silent for longer than this, is offline. */
  offlineAfterS: z.number().positive().default(300),
  /** An outbox above this many messages that kept growing over outboxGrowingFor evaluations is a backlog. */
  outboxMessages: z.number().int().min(0).default(500),
  outboxGrowingFor: z.number().int().min(2).default(4),
  /** An outbox whose oldest message waited longer than this is a backlog whatever its size. */
  outboxOldestAgeS: z.number().positive().default(3600),
  /** Checksum errors per thousand frames above which an online device's serial line is suspect. */
  decodeErrorsPerThousand: z.number().min(0).default(20),
  /** Receive raised and cleared operator alerts. */
  notify: z.array(WebhookTarget).default([]),
  delivery: WebhookDeliverySettings.prefault({}),
  /** Cleared alerts kept for alerts(), newest first. */
  keepCleared: z.number().int().min(0).default(50),
  /**
   * When set, every evaluation logs the number of active alerts per rule in
   * CloudWatch's embedded metric format under this namespace (on AWS).
   */
  cloudWatchNamespace: z
    .string()
    .regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'a CloudWatch namespace: 1-255 of A-Z a-z 0-9 . _ / # : -')
    .optional(),
});
export type AlertRuleSettings = z.infer<typeof AlertRuleSettings>;
export type AlertRuleSettingsInput = z.input<typeof AlertRuleSettings>;

/** A rule that holds for one subject (a device id or a rollout id) right now. */
export interface AlertCondition {
  readonly rule: AlertRule;
  readonly subject: string;
  readonly message: string;
}

/** Each device's outbox size at the last evaluations, oldest first. */
export type OutboxHistory = ReadonlyMap<string, readonly number[]>;

export interface RuleInput {
  readonly now: number;
  readonly devices: readonly DeviceState[];
  readonly rollouts: readonly RolloutProgress[];
  readonly history: OutboxHistory;
  /** Keys ({@link alertKey}) of the alerts active before this evaluation, for hysteresis. */
  readonly active: ReadonlySet<string>;
}

export interface RuleResult {
  readonly conditions: readonly AlertCondition[];
  readonly history: OutboxHistory;
}

export function alertKey(rule: string, subject: string): string {
  return `${rule}\u0000${subject}`;
}

type Thresholds = Pick<
  AlertRuleSettings,
  'offlineAfterS' | 'outboxMessages' | 'outboxGrowingFor' | 'outboxOldestAgeS' | 'decodeErrorsPerThousand'
>;

/** Every condition that holds now, and the outbox history to pass to the next evaluation. */
export function evaluateAlertRules(input: RuleInput, settings: Thresholds): RuleResult {
  const conditions: AlertCondition[] = [];
  const history = new Map<string, number[]>();
  for (const device of input.devices) {
    const samples = [...(input.history.get(device.deviceId) ?? []), device.outboxMessages].slice(
      -settings.outboxGrowingFor,
    );
    history.set(device.deviceId, samples);
    const offline = offlineCondition(device, input.now, settings);
    if (offline !== null) conditions.push(offline);
    const wasBacklogged = input.active.has(alertKey('outbox-backlog', device.deviceId));
    const backlog = backlogCondition(device, samples, wasBacklogged, settings);
    if (backlog !== null) conditions.push(backlog);
    if (offline === null && device.decodeErrorRate > settings.decodeErrorsPerThousand) {
      conditions.push({
        rule: 'decode-errors',
        subject: device.deviceId,
        message: `${device.deviceId}: ${round(device.decodeErrorRate)} checksum errors per 1000 frames (limit ${settings.decodeErrorsPerThousand})`,
      });
    }
  }
  const rollout = rolloutCondition(input.rollouts);
  if (rollout !== null) conditions.push(rollout);
  return { conditions, history };
}

function offlineCondition(device: DeviceState, now: number, settings: Thresholds): AlertCondition | null {
  const silentS = (now - device.lastSeen) / 1000;
  if (device.online && silentS <= settings.offlineAfterS) return null;
  const why = device.online
    ? `silent for ${Math.round(silentS)} s (limit ${settings.offlineAfterS} s)`
    : `reported offline, last seen ${Math.round(Math.max(0, silentS))} s ago`;
  return { rule: 'device-offline', subject: device.deviceId, message: `${device.deviceId} offline: ${why}` };
}

/**
 * A backlog is raised when the outbox is above the limit and grew over the
 * window (never shrinking, larger at the end), or its oldest message is too
 * old. Once raised it holds while the outbox stays above the limit and is
 * not draining, so a backlog that merely stops growing does not flap.
 */
function backlogCondition(
  device: DeviceState,
  samples: readonly number[],
  wasBacklogged: boolean,
  settings: Thresholds,
): AlertCondition | null {
  const first = samples[0] ?? device.outboxMessages;
  const above = device.outboxMessages > settings.outboxMessages;
  const growing =
    samples.length >= settings.outboxGrowingFor &&
    samples.every((value, index) => index === 0 || value >= (samples[index - 1] ?? value)) &&
    device.outboxMessages > first;
  const stuck = wasBacklogged && device.outboxMessages >= first;
  const reasons: string[] = [];
  if (above && (growing || stuck)) {
    reasons.push(
      `${device.outboxMessages} messages waiting (limit ${settings.outboxMessages}), up from ${first}`,
    );
  }
  if (device.outboxOldestAgeS > settings.outboxOldestAgeS) {
    reasons.push(
      `oldest waiting ${Math.round(device.outboxOldestAgeS)} s (limit ${settings.outboxOldestAgeS} s)`,
    );
  }
  if (reasons.length === 0) return null;
  return {
    rule: 'outbox-backlog',
    subject: device.deviceId,
    message: `${device.deviceId}: ${reasons.join('; ')}`,
  };
}

/** Only the newest rollout counts: starting a new one settles the alert of a failed one. */
function rolloutCondition(rollouts: readonly RolloutProgress[]): AlertCondition | null {
  const newest = newestRollout(rollouts);
  if (newest === undefined || (newest.state !== 'failed' && newest.state !== 'rolled-back')) return null;
  const reason = newest.reason === null ? '' : `: ${newest.reason}`;
  return {
    rule: 'rollout-failed',
    subject: newest.id,
    message: `rollout of model ${newest.version} ${newest.state}${reason}`,
  };
}

/** Which conditions are new and which active alerts no longer hold. */
export function diffConditions(
  active: ReadonlySet<string>,
  conditions: readonly AlertCondition[],
): { readonly raised: readonly AlertCondition[]; readonly cleared: readonly string[] } {
  const now = new Set(conditions.map((condition) => alertKey(condition.rule, condition.subject)));
  return {
    raised: conditions.filter((condition) => !active.has(alertKey(condition.rule, condition.subject))),
    cleared: [...active].filter((key) => !now.has(key)),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The rollout that started last. */
export function newestRollout(rollouts: readonly RolloutProgress[]): RolloutProgress | undefined {
  let newest: RolloutProgress | undefined;
  for (const rollout of rollouts) {
    if (newest === undefined || rollout.startedAt > newest.startedAt) newest = rollout;
  }
  return newest;
}
