import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Incident } from '../contracts/cloud-values.js';
import {
  decideOnEvent,
  decideOnResume,
  decideOnTimer,
  nextDueAt,
  stateFromActions,
  type RecordedAction,
  type IncidentResponseState,
  type ResponseActionKind,
  type ResponseStep,
  type TargetGroup,
} from './response-decision.js';
import { type IncidentEvent } from '../contracts/cloud-values.js';
import { ResponseSettings, type ResponseSettingsInput } from './response-settings.js';
import { WebhookNotifier, type WebhookSender } from './webhook-notifier.js';
import { describeTarget, type WebhookTarget } from './webhook-target.js';

/**
 * Where actions are kept: the incident store. `claimPage` and `current` are
 * for several workers sharing one database: without them every page is
 * this agent's and its own copy of an incident is current.
 */
export interface ActionRecorder {
  recordAction(incidentId: string, kind: string, detail: string): unknown;
  /** True when this agent is the first to claim the page (`alerted`, `repeated 2`…) of the incident. */
  claimPage?(incidentId: string, page: string): boolean;
  /** The incident as it is now, which another worker may have acknowledged or resolved. */
  current?(incidentId: string): Incident | undefined;
}

/** Time and timers, injectable so the repeat and escalation sequence can be tested without waiting. */
export interface ResponseClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: ResponseClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One recorded action, as emitted for live views. */
export interface ResponseAction {
  readonly incidentId: string;
  readonly kind: ResponseActionKind;
  readonly detail: string;
  readonly ts: number;
  readonly level: AlarmLevel;
}

export interface ResponseAgentEvents {
  action: [action: ResponseAction];
}

export interface ResponseAgentOptions {
  readonly settings: ResponseSettingsInput;
  readonly recorder: ActionRecorder;
  /** By default a {@link WebhookNotifier} with the settings' `delivery`. */
  readonly notifier?: WebhookSender;
  readonly logger?: Logger;
  readonly clock?: ResponseClock;
  /**
   * False on a worker that shares its database with others: it sends the
   * first page of the incidents it hears of but runs no repeat or
   * escalation timer until it is given them ({@link adoptAlerts}). True
   * (one process) by default.
   */
  readonly repeatsHeld?: boolean;
}

/**
 * How old an incident must be before the worker holding the repeats
 * adopts it from the database: the worker that opened it records its own
 * first action in that time.
 */
const ADOPT_AFTER_MS = 2_000;

const EVENT_NAMES: Record<ResponseStep['kind'], string> = {
  logged: 'incident.logged',
  notified: 'incident.notification',
  alerted: 'incident.alert',
  repeated: 'incident.alert.repeat',
  escalated: 'incident.escalation',
  suppressed: 'incident.suppressed',
  stopped: 'incident.stopped',
};

/**
 * Turns incident events into actions: logs low incidents, notifies once
 * for medium ones, and for high ones sends an emergency alert that repeats
 * and escalates until someone acknowledges or resolves the incident. The
 * decisions are `response-decision.ts`; this class keeps the state, the
 * timers and the webhooks.
 */
export class ResponseAgent extends EventEmitter<ResponseAgentEvents> {
  readonly #settings: ResponseSettings;
  readonly #recorder: ActionRecorder;
  readonly #notifier: WebhookSender;
  readonly #log: Logger;
  readonly #clock: ResponseClock;
  readonly #states = new Map<string, IncidentResponseState>();
  readonly #incidents = new Map<string, Incident>();
  readonly #timers = new Map<string, unknown>();
  #abort: AbortController | undefined;
  #repeatsHeld: boolean;
  /** Each open incident's `updatedAt` when {@link adoptAlerts} last rebuilt it. */
  #adopted = new Map<string, number>();

  constructor(options: ResponseAgentOptions) {
    super();
    this.#settings = ResponseSettings.parse(options.settings);
    this.#recorder = options.recorder;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'response' });
    this.#notifier =
      options.notifier ?? new WebhookNotifier({ settings: this.#settings.delivery, logger: options.logger });
    this.#clock = options.clock ?? systemClock;
    this.#repeatsHeld = options.repeatsHeld ?? true;
  }

  start(): Promise<void> {
    this.#abort ??= new AbortController();
    return Promise.resolve();
  }

  /** Stops every timer and cancels deliveries in flight; incidents keep their recorded actions. */
  stop(): Promise<void> {
    const abort = this.#abort;
    if (abort === undefined) return Promise.resolve();
    this.#abort = undefined;
    abort.abort();
    for (const handle of this.#timers.values()) this.#clock.clearTimer(handle);
    this.#timers.clear();
    this.#states.clear();
    this.#incidents.clear();
    return Promise.resolve();
  }

  /**
   * Acts on one incident event; resolves when its webhooks have answered or
   * given up. Never rejects. Events before start() or after stop() are
   * ignored, so shutdown order does not matter.
   */
  async handle(event: IncidentEvent): Promise<void> {
    if (this.#abort === undefined) {
      this.#log.debug(
        { incidentId: event.incident.id },
        'incident event ignored: response agent not running',
      );
      return;
    }
    const id = event.incident.id;
    this.#incidents.set(id, event.incident);
    const decision = decideOnEvent(this.#states.get(id), event, this.#clock.now());
    this.#states.set(id, decision.state);
    this.#schedule(id);
    if (decision.state.stopped) this.#incidents.delete(id);
    await this.#run(event.incident, decision.steps);
  }

  /**
   * Picks up open incidents after a restart from their recorded actions: an
   * alert that was running repeats and escalates on its old schedule (a
   * repeat that fell due while the cloud was down goes out now), and an
   * incident whose alert or notification never went out gets it now.
   * Resolves when those webhooks have answered or given up; never rejects.
   */
  async resume(open: readonly { incident: Incident; actions: readonly RecordedAction[] }[]): Promise<void> {
    if (this.#abort === undefined) return;
    const runs: Promise<void>[] = [];
    for (const { incident, actions } of open) {
      if (incident.state !== 'open' || this.#states.has(incident.id)) continue;
      const decision = decideOnResume(stateFromActions(incident.id, actions), incident, this.#clock.now());
      this.#states.set(incident.id, decision.state);
      if (decision.state.stopped) continue;
      this.#incidents.set(incident.id, incident);
      this.#schedule(incident.id);
      runs.push(this.#run(incident, decision.steps));
    }
    if (this.#timers.size > 0) this.#log.info({ alerting: this.#timers.size }, 'emergency alerts resumed');
    await Promise.all(runs);
  }

  /**
   * This worker now runs the repeats and escalations (it holds their
   * lease): every open incident without a timer here gets its state
   * rebuilt from its recorded actions and its timer, whichever worker
   * sent its first page. Called on gaining the lease and then every few
   * seconds with the open incidents, so incidents other workers open are
   * picked up. Incidents opened within the last 2 s are left to the worker
   * that opened them; a page both would send is claimed by one. Resolves when any page it sends has
   * answered; never rejects.
   */
  async adoptAlerts(
    open: readonly Incident[],
    actionsOf: (incidentId: string) => readonly RecordedAction[],
  ): Promise<void> {
    if (this.#abort === undefined) return;
    this.#repeatsHeld = true;
    const runs: Promise<void>[] = [];
    const now = this.#clock.now();
    const looked = new Map<string, number>();
    for (const incident of open) {
      const id = incident.id;
      const before = this.#adopted.get(id);
      if (before !== undefined) looked.set(id, before);
      if (incident.state !== 'open' || this.#timers.has(id)) continue;
      // Unchanged since this worker last rebuilt it: nothing new to act on.
      if (before === incident.updatedAt || incident.openedAt > now - ADOPT_AFTER_MS) continue;
      looked.set(id, incident.updatedAt);
      // What was done is in the database: another worker may have paged since this one last looked.
      const decision = decideOnResume(stateFromActions(id, actionsOf(id)), incident, now);
      this.#states.set(id, decision.state);
      if (decision.state.stopped) continue;
      this.#incidents.set(id, incident);
      this.#schedule(id);
      if (decision.steps.length > 0) runs.push(this.#run(incident, decision.steps));
    }
    this.#adopted = looked;
    await Promise.all(runs);
  }

  /** Another worker runs the repeats and escalations now: this one's timers stop. */
  releaseRepeats(): void {
    this.#repeatsHeld = false;
    this.#adopted = new Map();
    for (const handle of this.#timers.values()) this.#clock.clearTimer(handle);
    this.#timers.clear();
  }

  /** The ids of the incidents whose emergency alert is still repeating or waiting to escalate. */
  alerting(): string[] {
    return [...this.#timers.keys()];
  }

  #schedule(id: string): void {
    const existing = this.#timers.get(id);
    if (existing !== undefined) this.#clock.clearTimer(existing);
    this.#timers.delete(id);
    const state = this.#states.get(id);
    if (state === undefined || this.#abort === undefined || !this.#repeatsHeld) return;
    const due = nextDueAt(state, this.#settings);
    if (due === null) return;
    const handle = this.#clock.setTimer(() => void this.#onTimer(id), Math.max(0, due - this.#clock.now()));
    this.#timers.set(id, handle);
  }

  async #onTimer(id: string): Promise<void> {
    this.#timers.delete(id);
    const state = this.#states.get(id);
    const known = this.#incidents.get(id);
    if (state === undefined || known === undefined || this.#abort === undefined) return;
    const incident = this.#current(known);
    if (incident.state !== 'open') {
      // Another worker acknowledged or resolved it; that worker stops the alert and records it.
      this.#states.set(id, { ...state, stopped: true });
      this.#incidents.delete(id);
      return;
    }
    const decision = decideOnTimer(state, this.#clock.now(), this.#settings);
    this.#states.set(id, decision.state);
    this.#schedule(id);
    await this.#run(incident, decision.steps);
  }

  async #run(incident: Incident, steps: readonly ResponseStep[]): Promise<void> {
    for (const step of steps) {
      try {
        await this.#perform(incident, step);
      } catch (error) {
        this.#log.error({ err: error, incidentId: incident.id, step: step.kind }, 'response step failed');
      }
    }
  }

  #current(known: Incident): Incident {
    if (this.#recorder.current === undefined) return known;
    try {
      const now = this.#recorder.current(known.id);
      if (now !== undefined) this.#incidents.set(known.id, now);
      return now ?? known;
    } catch (error) {
      // The database is away: act on what this worker knows rather than drop the alert.
      this.#log.warn(
        { err: error, incidentId: known.id },
        'could not read the incident; using the last known state',
      );
      return known;
    }
  }

  /** False when another worker has claimed this page; a claim that cannot be made is taken as ours. */
  #claim(incident: Incident, step: ResponseStep): boolean {
    if (this.#recorder.claimPage === undefined) return true;
    const page = step.repeat === undefined ? step.kind : `${step.kind} ${String(step.repeat)}`;
    try {
      const mine = this.#recorder.claimPage(incident.id, page);
      if (!mine) this.#log.debug({ incidentId: incident.id, page }, 'page sent by another worker');
      return mine;
    } catch (error) {
      // A page twice beats no page: without the database, send it.
      this.#log.warn({ err: error, incidentId: incident.id, page }, 'could not claim a page; sending it');
      return true;
    }
  }

  async #perform(incident: Incident, step: ResponseStep): Promise<void> {
    if (step.targets.length > 0 && !this.#claim(incident, step)) return;
    const targets = step.targets.flatMap((group) =>
      this.#targetsOf(group).map((target) => ({ group, target })),
    );
    if (step.targets.length === 0) {
      this.#record(incident, step.kind, step.detail);
      return;
    }
    if (targets.length === 0) {
      this.#record(incident, step.kind, `${step.detail}; no ${step.targets.join(' or ')} targets configured`);
      return;
    }
    const signal = this.#abort?.signal;
    const event = EVENT_NAMES[step.kind];
    const payload = this.#payload(incident, step);
    const results = await Promise.allSettled(
      targets.map(({ group, target }) =>
        this.#notifier.deliver(target, payload, { event, purpose: group, ...(signal ? { signal } : {}) }),
      ),
    );
    if (this.#abort === undefined) return;
    const delivered = results.filter((result) => result.status === 'fulfilled').length;
    this.#record(
      incident,
      step.kind,
      `${step.detail}; delivered to ${delivered} of ${targets.length} target(s)`,
    );
    results.forEach((result, index) => {
      const entry = targets[index];
      if (result.status === 'fulfilled' || entry === undefined) return;
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      this.#record(
        incident,
        'delivery-failed',
        `${entry.group} ${describeTarget(entry.target.url)}: ${reason}`,
      );
    });
  }

  #targetsOf(group: TargetGroup): readonly WebhookTarget[] {
    return this.#settings[group];
  }

  #payload(incident: Incident, step: ResponseStep): Record<string, unknown> {
    const link = this.#settings.dashboardLink?.replaceAll('{incidentId}', encodeURIComponent(incident.id));
    return {
      type: EVENT_NAMES[step.kind],
      level: incident.level,
      incident,
      reasons: incident.reasons,
      ...(link === undefined ? {} : { dashboardUrl: link }),
      ...(step.repeat === undefined ? {} : { repeat: step.repeat }),
      sentAt: new Date(this.#clock.now()).toISOString(),
    };
  }

  #record(incident: Incident, kind: ResponseActionKind, detail: string): void {
    const ts = this.#clock.now();
    try {
      this.#recorder.recordAction(incident.id, kind, detail);
    } catch (error) {
      this.#log.error({ err: error, incidentId: incident.id, kind }, 'could not record an incident action');
    }
    this.#log.info({ incidentId: incident.id, level: incident.level, kind, detail }, 'incident action');
    this.emit('action', { incidentId: incident.id, kind, detail, ts, level: incident.level });
  }
}
