import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Incident, IncidentChange, IncidentEvent } from '../contracts/cloud-values.js';

/** The kinds of action the response agent records against an incident. */
export type ResponseActionKind =
  'logged' | 'notified' | 'alerted' | 'repeated' | 'escalated' | 'suppressed' | 'delivery-failed' | 'stopped';

/** Which configured list of webhooks a step goes to. */
export type TargetGroup = 'notify' | 'emergency' | 'escalation';

/** One thing to do now; `targets` empty means record the action and send nothing. */
export interface ResponseStep {
  readonly kind: Exclude<ResponseActionKind, 'delivery-failed'>;
  readonly targets: readonly TargetGroup[];
  readonly detail: string;
  /** For repeats: which one, from 1. */
  readonly repeat?: number;
}

/** What the agent remembers of one incident between events. */
export interface IncidentResponseState {
  readonly incidentId: string;
  readonly logged: boolean;
  readonly notified: boolean;
  /** When the first emergency alert went out, ms since the epoch. */
  readonly alertedAt: number | null;
  /** When the last alert or repeat went out. */
  readonly lastAlertAt: number | null;
  readonly repeats: number;
  readonly escalatedAt: number | null;
  /** Acknowledged or resolved: no more timers, ever. */
  readonly stopped: boolean;
}

export interface ResponseTiming {
  readonly repeatEveryS: number;
  readonly escalateAfterS: number;
  readonly maxRepeats: number;
}

export interface ResponseDecision {
  readonly state: IncidentResponseState;
  readonly steps: readonly ResponseStep[];
}

export function initialResponseState(incidentId: string): IncidentResponseState {
  return {
    incidentId,
    logged: false,
    notified: false,
    alertedAt: null,
    lastAlertAt: null,
    repeats: 0,
    escalatedAt: null,
    stopped: false,
  };
}

function levelDetail(level: AlarmLevel, change: IncidentChange): string {
  return `${change} at level ${level}`;
}

/**
 * What to do about an incident event: low is logged once, medium notifies
 * once and suppresses the rest, high alerts once (the timers repeat it). A
 * medium incident that turns high is alerted like a new high one. An
 * acknowledged or resolved incident stops the timers of an alerted one.
 */
export function decideOnEvent(
  previous: IncidentResponseState | undefined,
  event: IncidentEvent,
  now: number,
): ResponseDecision {
  const state = previous ?? initialResponseState(event.incident.id);
  const { incident, change } = event;
  if (state.stopped) return { state, steps: [] };
  if (incident.state !== 'open' || change === 'acknowledged' || change === 'resolved') {
    const stopped = { ...state, stopped: true };
    if (state.alertedAt === null) return { state: stopped, steps: [] };
    const who = incident.acknowledgedBy === null ? '' : ` by ${incident.acknowledgedBy}`;
    const detail = `emergency alerts stopped: incident ${incident.state}${incident.state === 'acknowledged' ? who : ''}`;
    return { state: stopped, steps: [{ kind: 'stopped', targets: [], detail }] };
  }
  switch (incident.level) {
    case 'none':
    case 'low':
      if (state.logged) return { state, steps: [] };
      return {
        state: { ...state, logged: true },
        steps: [{ kind: 'logged', targets: [], detail: levelDetail(incident.level, change) }],
      };
    case 'medium':
      if (state.notified || state.alertedAt !== null) {
        return { state, steps: [suppressed(change, incident.level, 'a notification already went out')] };
      }
      return {
        state: { ...state, notified: true },
        steps: [{ kind: 'notified', targets: ['notify'], detail: levelDetail(incident.level, change) }],
      };
    case 'high':
      if (state.alertedAt !== null) {
        return {
          state,
          steps: [suppressed(change, incident.level, 'the emergency alert is already running')],
        };
      }
      return {
        state: { ...state, alertedAt: now, lastAlertAt: now },
        steps: [{ kind: 'alerted', targets: ['emergency'], detail: levelDetail(incident.level, change) }],
      };
  }
}

function suppressed(change: IncidentChange, level: AlarmLevel, why: string): ResponseStep {
  return { kind: 'suppressed', targets: [], detail: `${levelDetail(level, change)}: ${why}` };
}

/** When the next repeat or escalation is due, or null when nothing is left to do. */
export function nextDueAt(state: IncidentResponseState, timing: ResponseTiming): number | null {
  if (state.stopped || state.alertedAt === null || state.lastAlertAt === null) return null;
  const due: number[] = [];
  if (state.repeats < timing.maxRepeats) due.push(state.lastAlertAt + timing.repeatEveryS * 1000);
  if (state.escalatedAt === null) due.push(state.alertedAt + timing.escalateAfterS * 1000);
  return due.length === 0 ? null : Math.min(...due);
}

/**
 * What is due at `now` for an alerted incident: a repeat to the emergency
 * targets (and the escalation targets once escalated), and once, after
 * escalateAfterS, the escalation. A repeat due at the same moment goes
 * first, so escalation targets do not get the same alert twice.
 */
export function decideOnTimer(
  state: IncidentResponseState,
  now: number,
  timing: ResponseTiming,
): ResponseDecision {
  if (state.stopped || state.alertedAt === null || state.lastAlertAt === null) return { state, steps: [] };
  const steps: ResponseStep[] = [];
  let next = state;
  if (state.repeats < timing.maxRepeats && now >= state.lastAlertAt + timing.repeatEveryS * 1000) {
    const repeat = state.repeats + 1;
    const targets: TargetGroup[] = state.escalatedAt === null ? ['emergency'] : ['emergency', 'escalation'];
    steps.push({ kind: 'repeated', targets, detail: `repeat ${repeat} of ${timing.maxRepeats}`, repeat });
    next = { ...next, repeats: repeat, lastAlertAt: now };
  }
  if (state.escalatedAt === null && now >= state.alertedAt + timing.escalateAfterS * 1000) {
    const waited = Math.round((now - state.alertedAt) / 1000);
    steps.push({
      kind: 'escalated',
      targets: ['escalation'],
      detail: `not acknowledged ${waited} s after the emergency alert`,
    });
    next = { ...next, escalatedAt: now };
  }
  return { state: next, steps };
}

/** An action as the incident store keeps it: enough to rebuild the response state after a restart. */
export interface RecordedAction {
  readonly kind: string;
  /** ms since the epoch. */
  readonly ts: number;
}

/**
 * The response state an incident's recorded actions imply, oldest first: what
 * the agent had done before a restart, so repeats and escalation carry on
 * from where they were instead of starting again or not at all.
 */
export function stateFromActions(
  incidentId: string,
  actions: readonly RecordedAction[],
): IncidentResponseState {
  let state = initialResponseState(incidentId);
  for (const { kind, ts } of actions) {
    switch (kind) {
      case 'logged':
        state = { ...state, logged: true };
        break;
      case 'notified':
        state = { ...state, notified: true };
        break;
      case 'alerted':
        state = { ...state, alertedAt: ts, lastAlertAt: ts };
        break;
      case 'repeated':
        state = { ...state, repeats: state.repeats + 1, lastAlertAt: ts };
        break;
      case 'escalated':
        state = { ...state, escalatedAt: ts };
        break;
      case 'stopped':
        state = { ...state, stopped: true };
        break;
    }
  }
  return state;
}

/**
 * What an open incident calls for when the agent starts again: the step its
 * level wants if that step was never taken (the cloud stopped between
 * opening the incident and acting on it), else nothing; timers then pick up
 * any repeat or escalation that fell due meanwhile.
 */
export function decideOnResume(
  state: IncidentResponseState,
  incident: Incident,
  now: number,
): ResponseDecision {
  const done =
    state.stopped ||
    (incident.level === 'high' && state.alertedAt !== null) ||
    (incident.level === 'medium' && (state.notified || state.alertedAt !== null)) ||
    ((incident.level === 'low' || incident.level === 'none') && state.logged);
  if (done) return { state, steps: [] };
  return decideOnEvent(state, { incident, change: 'updated' }, now);
}
