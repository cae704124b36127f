import { levelRank } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import type { IncidentState, RiskAssessment } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import { asLevel, isOutcome, toIncident, type IncidentRow } from './incident-rows.js';
import { timeOrderedId } from './time-ordered-id.js';

/*
 * The incident store's decisions, apart from its SQL: what opening or
 * joining an incident writes, which state changes are allowed, and the
 * bounds of a listing. Pure.
 */

/** The columns of an incident opened by an assessment. */
export interface OpenedIncident {
  readonly id: string;
  readonly deviceId: string;
  readonly zone: string;
  readonly level: string;
  readonly ts: number;
  readonly reasons: string;
  readonly messageIds: string;
}

/** The columns an assessment joining an unresolved incident changes. */
export interface JoinedIncident {
  readonly id: string;
  readonly level: string;
  readonly ts: number;
  readonly reasons: string;
  readonly messageIds: string;
}

export function openedIncident(assessment: RiskAssessment): OpenedIncident {
  return {
    id: timeOrderedId(assessment.ts),
    deviceId: assessment.deviceId,
    zone: assessment.zone,
    level: assessment.level,
    ts: assessment.ts,
    reasons: JSON.stringify(assessment.reasons),
    messageIds: JSON.stringify([assessment.messageId]),
  };
}

/** Raises the incident's level when the assessment is higher (`escalated`), else keeps it (`updated`). */
export function joinedIncident(
  current: IncidentRow,
  assessment: RiskAssessment,
): { columns: JoinedIncident; change: 'escalated' | 'updated' } {
  const was = asLevel(current.level);
  const higher = levelRank(assessment.level) > levelRank(was);
  const ids = toIncident(current).messageIds;
  const columns = {
    id: current.id,
    level: higher ? assessment.level : was,
    ts: assessment.ts,
    // The reasons shown are those of the latest assessment at the incident's level.
    reasons:
      levelRank(assessment.level) >= levelRank(was) ? JSON.stringify(assessment.reasons) : current.reasons,
    messageIds: JSON.stringify(ids.includes(assessment.messageId) ? ids : [...ids, assessment.messageId]),
  };
  return { columns, change: higher ? 'escalated' : 'updated' };
}

/** Only an open incident can be acknowledged. */
export function checkAcknowledge(id: string, state: string): void {
  if (state !== 'open') throw transition(id, state, 'acknowledged');
}

/** Any incident not yet resolved can be resolved. */
export function checkResolve(id: string, state: string): void {
  if (state === 'resolved') throw transition(id, state, 'resolved');
}

/** Throws EMBER_ERR_BAD_OUTCOME unless `outcome` is one of OUTCOMES. */
export function checkOutcome(id: string, outcome: string): asserts outcome is Outcome {
  if (!isOutcome(outcome)) {
    throw new EmberError(
      'EMBER_ERR_BAD_OUTCOME',
      `incident ${id}: unknown outcome ${JSON.stringify(outcome)}`,
    );
  }
}

/** The detail of a resolution's action: `<outcome> by <who>[: <note>]`. */
export function resolutionDetail(outcome: Outcome, by: string, note: string | undefined): string {
  return `${outcome} by ${by}${note === undefined ? '' : `: ${note}`}`;
}

/** How many incidents a listing returns: 100 by default, between 1 and 1000. */
export function listLimit(limit: number | undefined): number {
  const wanted = limit !== undefined && Number.isFinite(limit) ? Math.floor(limit) : 100;
  return Math.min(1000, Math.max(1, wanted));
}

function transition(id: string, from: string, to: IncidentState): EmberError {
  return new EmberError('EMBER_ERR_INCIDENT_TRANSITION', `incident ${id} is ${from}; it cannot become ${to}`);
}
