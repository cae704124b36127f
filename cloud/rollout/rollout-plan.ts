import { createHash } from 'node:crypto';
import { EmberError } from '../../shared/errors.js';
import type { ModelReport } from '../../shared/model/model-report.js';
import { isDeviceId } from '../../shared/topics.js';
import { isFailure, isWaiting, type DeviceStatus } from './device-status.js';
import type { DeviceRow, RolloutRow } from './rollout-rows.js';

/** How many canaries a fleet of `total` gets: the share rounded, at least one, at most all. */
export function canaryCount(total: number, share: number): number {
  if (total <= 0) return 0;
  return Math.min(total, Math.max(1, Math.round(total * share)));
}

/**
 * The canaries of a rollout: the devices whose hash with `salt` (the rollout
 * id) sorts first, so that each rollout tries the model on other devices
 * while the choice stays reproducible.
 */
export function pickCanaries(deviceIds: readonly string[], share: number, salt: string): string[] {
  const ranked = [...new Set(deviceIds)]
    .map((id) => ({ id, rank: createHash('sha256').update(`${salt}\n${id}`).digest('hex') }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  return ranked
    .slice(0, canaryCount(ranked.length, share))
    .map((r) => r.id)
    .sort();
}

/** The device status an install report means, with the reason to show. */
export function installOutcome(report: ModelReport): { status: DeviceStatus; reason: string | null } {
  const why = [report.code, report.reason].filter((s) => s !== undefined && s !== '').join(': ');
  switch (report.status) {
    case 'installed':
      return { status: 'installed', reason: report.reason ?? null };
    case 'rolled-back':
      return {
        status: 'rolled-back',
        reason: `the device rolled the model back: ${why || 'no reason given'}`,
      };
    default:
      return { status: report.status, reason: why || null };
  }
}

/**
 * What a device's answer to a rollback means: back on what it ran before
 * (`active`), or still on the new model (status unchanged) with the reason.
 */
export function revertOutcome(report: ModelReport): { status?: DeviceStatus; reason: string } {
  if (report.status === 'rolled-back' || report.status === 'installed') {
    return { status: 'rolled-back', reason: `back on ${report.active ?? report.version}` };
  }
  const why = report.reason === undefined ? '' : ` (${report.reason})`;
  return { reason: `rollback of ${report.version}: ${report.status}${why}` };
}

/** One canary as the verdict sees it. */
export interface CanaryView {
  readonly deviceId: string;
  readonly status: DeviceStatus;
  readonly reason: string | null;
}

export type CanaryVerdict =
  | { readonly outcome: 'wait' }
  | { readonly outcome: 'pass' }
  | { readonly outcome: 'fail'; readonly reason: string };

/**
 * Whether the canaries let the rollout go on: it fails as soon as more than
 * `maxFailures` of them refused, failed, rolled back or timed out, passes
 * once every one has answered, and waits otherwise.
 */
export function judgeCanaries(canaries: readonly CanaryView[], maxFailures: number): CanaryVerdict {
  const failed = canaries.filter((c) => isFailure(c.status));
  if (failed.length > maxFailures) {
    const detail = failed
      .map((c) => `${c.deviceId} ${c.status}${c.reason === null ? '' : ` (${c.reason})`}`)
      .join('; ');
    const limit = maxFailures === 0 ? '' : ` (more than ${maxFailures} allowed)`;
    return { outcome: 'fail', reason: `canary ${detail}${limit}` };
  }
  if (canaries.some((c) => isWaiting(c.status))) return { outcome: 'wait' };
  return { outcome: 'pass' };
}

/** When the canaries' alarm rate counts as worse. */
export interface RegressionLimits {
  /** The rate after may be at most this many times the rate before… */
  readonly maxIncreaseRatio: number;
  /** …unless it rose by no more than this much in absolute terms (quiet devices stay quiet). */
  readonly minIncrease: number;
}

/** A reason when the rate after installing is a regression from the rate before, else undefined. */
export function alarmRegression(before: number, after: number, limits: RegressionLimits): string | undefined {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return undefined;
  const rise = after - before;
  if (rise <= limits.minIncrease || after <= before * limits.maxIncreaseRatio) return undefined;
  const fmt = (n: number): string => String(Math.round(n * 1000) / 1000);
  return `canaries' anomaly rate rose from ${fmt(before)} to ${fmt(after)} after installing`;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** What a new rollout is made of. */
export interface RolloutPlanInput {
  readonly id: string;
  readonly version: string;
  readonly devices: readonly string[];
  /** Chosen canaries; otherwise `share` of the devices, picked by {@link pickCanaries}. */
  readonly canaries: readonly string[] | undefined;
  readonly share: number;
  /** Approved versions, newest first. */
  readonly approved: readonly string[];
  /** The model a device last reported as active. */
  readonly activeOf: (deviceId: string) => string | undefined;
  readonly now: number;
}

/**
 * The rows of a new rollout: canaries first, each device with the model it
 * ran before; the version to go back to is what most canaries ran (a model,
 * not the rules), else the newest other approved model. Throws
 * EMBER_ERR_ROLLOUT for no devices, a bad id, or a canary outside the devices.
 */
export function planRollout(input: RolloutPlanInput): { row: RolloutRow; devices: DeviceRow[] } {
  const devices = [...new Set(input.devices)];
  const bad = devices.find((d) => !isDeviceId(d));
  if (bad !== undefined) throw new EmberError('EMBER_ERR_ROLLOUT', `bad device id ${JSON.stringify(bad)}`);
  if (devices.length === 0) throw new EmberError('EMBER_ERR_ROLLOUT', 'no devices to roll out to');
  const canaries = new Set(input.canaries ?? pickCanaries(devices, input.share, input.id));
  const stranger = [...canaries].find((c) => !devices.includes(c));
  if (stranger !== undefined || canaries.size === 0) {
    throw new EmberError(
      'EMBER_ERR_ROLLOUT',
      `canary ${stranger ?? '(none)'} is not among the rollout's devices`,
    );
  }
  const ordered = [...devices.filter((d) => canaries.has(d)), ...devices.filter((d) => !canaries.has(d))];
  const rows: DeviceRow[] = ordered.map((deviceId) => ({
    deviceId,
    canary: canaries.has(deviceId),
    status: 'pending',
    reason: null,
    activeBefore: input.activeOf(deviceId) ?? null,
    installedAt: null,
    revertVersion: null,
  }));
  const before = rows
    .filter((r) => r.canary)
    .map((r) => r.activeBefore)
    .filter((v): v is string => v !== null && v !== 'rules' && v !== input.version);
  const previous = mostCommon(before) ?? input.approved.find((v) => v !== input.version) ?? null;
  return {
    row: {
      id: input.id,
      version: input.version,
      previousVersion: previous,
      state: 'canary',
      startedAt: input.now,
      updatedAt: input.now,
      canaryShare: input.canaries === undefined ? input.share : canaries.size / devices.length,
      reason: null,
      phaseStartedAt: input.now,
    },
    devices: rows,
  };
}
