import type { RolloutProgress, RolloutState } from '../contracts/cloud-values.js';
import type { AlarmBehaviour, RolloutSettings } from './rollout-options.js';
import { alarmRegression, judgeCanaries } from './rollout-plan.js';
import { isWaiting } from './device-status.js';
import { progressOf, type DeviceRow, type RolloutRow } from './rollout-rows.js';
import type { RolloutStore } from './rollout-store.js';

/** What a step of the state machine may do besides changing rows. */
export interface AdvanceContext {
  readonly now: number;
  readonly settings: RolloutSettings;
  readonly alarmBehaviour: AlarmBehaviour | undefined;
  /** Offers the model to the rest of the fleet. */
  offerRest(deviceIds: readonly string[]): Promise<void>;
  /** Offers the version before to canaries that installed the new one. */
  revert(deviceIds: readonly string[]): Promise<void>;
}

/**
 * One rollout in memory, written through to the store on every change, and
 * its state machine: canary → fleet → completed, or rolled-back (or failed).
 */
export class RolloutRun {
  readonly #store: RolloutStore;
  readonly #devices: Map<string, DeviceRow>;
  readonly #now: () => number;
  #row: RolloutRow;
  #changed = false;

  constructor(store: RolloutStore, row: RolloutRow, devices: readonly DeviceRow[], now: () => number) {
    this.#store = store;
    this.#row = row;
    this.#devices = new Map(devices.map((d) => [d.deviceId, d]));
    this.#now = now;
  }

  get row(): Readonly<RolloutRow> {
    return this.#row;
  }

  device(deviceId: string): Readonly<DeviceRow> | undefined {
    return this.#devices.get(deviceId);
  }

  canaries(): string[] {
    return [...this.#devices.values()].filter((d) => d.canary).map((d) => d.deviceId);
  }

  progress(): RolloutProgress {
    return progressOf(this.#row, [...this.#devices.values()]);
  }

  /** True once after any change, so that progress is emitted once per step. */
  takeChanged(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }

  setDevice(deviceId: string, change: Partial<Omit<DeviceRow, 'deviceId' | 'canary'>>): void {
    const device = this.#devices.get(deviceId);
    if (device === undefined) return;
    const next = { ...device, ...change };
    this.#devices.set(deviceId, next);
    this.#store.updateDevice(this.#row.id, next);
    this.#touch();
  }

  setState(state: RolloutState, reason: string | null, now: number): void {
    this.#row = {
      ...this.#row,
      state,
      reason,
      phaseStartedAt: state === 'fleet' ? now : this.#row.phaseStartedAt,
    };
    this.#touch();
  }

  /**
   * Takes every step that is due now and returns when to look again (a
   * deadline or the end of the observation window), or undefined when
   * nothing is waited for.
   */
  async advance(ctx: AdvanceContext): Promise<number | undefined> {
    if (this.#row.state === 'canary') return this.#advanceCanary(ctx);
    if (this.#row.state === 'fleet') return this.#advanceFleet(ctx);
    return undefined;
  }

  async #advanceCanary(ctx: AdvanceContext): Promise<number | undefined> {
    const { settings, now } = ctx;
    const deadline = this.#row.phaseStartedAt + settings.canaryTimeoutS * 1000;
    const canaries = () => [...this.#devices.values()].filter((d) => d.canary);
    if (now >= deadline) this.#timeOut(canaries(), settings.canaryTimeoutS);
    const verdict = judgeCanaries(canaries(), settings.maxCanaryFailures);
    if (verdict.outcome === 'wait') return deadline;
    if (verdict.outcome === 'fail') return this.#rollBack(ctx, verdict.reason);
    const regression = this.#regression(ctx, canaries());
    if (typeof regression === 'number') return regression;
    if (regression !== undefined) return this.#rollBack(ctx, regression);
    const rest = [...this.#devices.values()].filter((d) => !d.canary).map((d) => d.deviceId);
    this.setState('fleet', null, now);
    await ctx.offerRest(rest);
    return this.#advanceFleet(ctx);
  }

  async #advanceFleet(ctx: AdvanceContext): Promise<number | undefined> {
    const { settings, now } = ctx;
    const deadline = this.#row.phaseStartedAt + settings.fleetTimeoutS * 1000;
    const rest = () => [...this.#devices.values()].filter((d) => !d.canary);
    if (now >= deadline) this.#timeOut(rest(), settings.fleetTimeoutS);
    if (rest().some((d) => isWaiting(d.status))) return Promise.resolve(deadline);
    this.setState('completed', null, now);
    return Promise.resolve(undefined);
  }

  /**
   * Undefined when there is nothing to compare (no AlarmBehaviour, no canary
   * installed), a time to look again while the window after is still open,
   * or a reason when the rate regressed.
   */
  #regression(ctx: AdvanceContext, canaries: readonly DeviceRow[]): number | string | undefined {
    const behaviour = ctx.alarmBehaviour;
    const installed = canaries.filter((d) => d.status === 'installed');
    if (behaviour === undefined || installed.length === 0) return undefined;
    const { windowS, maxIncreaseRatio, minIncrease } = ctx.settings.observation;
    const window = windowS * 1000;
    const lastInstall = Math.max(...installed.map((d) => d.installedAt ?? this.#row.phaseStartedAt));
    if (ctx.now < lastInstall + window) return lastInstall + window;
    const ids = installed.map((d) => d.deviceId);
    const offeredAt = this.#row.phaseStartedAt;
    const before = behaviour.anomalyRate(ids, offeredAt - window, offeredAt);
    const after = behaviour.anomalyRate(ids, lastInstall, lastInstall + window);
    return alarmRegression(before, after, { maxIncreaseRatio, minIncrease });
  }

  async #rollBack(ctx: AdvanceContext, reason: string): Promise<undefined> {
    this.setState('rolled-back', reason, ctx.now);
    const installed = [...this.#devices.values()]
      .filter((d) => d.canary && d.status === 'installed' && d.revertVersion === null)
      .map((d) => d.deviceId);
    if (installed.length > 0) await ctx.revert(installed);
    return undefined;
  }

  #timeOut(devices: readonly DeviceRow[], seconds: number): void {
    for (const d of devices) {
      if (isWaiting(d.status))
        this.setDevice(d.deviceId, { status: 'timed-out', reason: `no report within ${seconds} s` });
    }
  }

  #touch(): void {
    this.#row = { ...this.#row, updatedAt: this.#now() };
    this.#store.updateRollout(this.#row);
    this.#changed = true;
  }
}
