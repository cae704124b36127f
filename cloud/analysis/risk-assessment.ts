import { levelRank, type AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { RiskAssessment } from '../contracts/cloud-values.js';
import {
  FIRE_SIGN_NAMES,
  isFireSignature,
  readFireSigns,
  type Features,
  type FireSign,
} from './fire-signs.js';

export interface RiskSettings {
  /** How far back the device's own anomalies count (device clock). */
  readonly historyWindowS: number;
  /** A device at low or above since at least this long is sustained. */
  readonly sustainedAfterS: number;
  /** This many anomalies at low or above within the history window (this one included) are repeated. */
  readonly repeatedCount: number;
  /** How far back zone mates' anomalies corroborate (cloud clock). */
  readonly zoneWindowS: number;
  /** How far back false alarms on the device damp it. */
  readonly falseAlarmWindowS: number;
  /** Checksum errors per thousand frames above which the device's readings are doubtful. */
  readonly decodeErrorLimit: number;
}

export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  historyWindowS: 300,
  sustainedAfterS: 60,
  repeatedCount: 3,
  zoneWindowS: 120,
  falseAlarmWindowS: 7 * 86_400,
  decodeErrorLimit: 20,
};

/** Everything the risk rules look at; gathered by the analysis agent, or by hand in a test. */
export interface RiskInput {
  readonly anomaly: {
    readonly deviceId: string;
    readonly ts: number;
    readonly level: AlarmLevel;
    readonly previousLevel: AlarmLevel;
    readonly probability: number;
    readonly modelVersion: string;
    readonly features: Features;
  };
  readonly zone: string;
  /** The device's earlier anomalies within the history window, oldest first (this one left out). */
  readonly history: readonly { readonly messageTs: number; readonly deviceLevel: AlarmLevel }[];
  /** Outcomes of the device's incidents resolved within the false-alarm window. */
  readonly outcomes: readonly { readonly outcome: string }[];
  /** Other devices of the zone at low or above recently, each with the highest level it raised. */
  readonly zoneMates: readonly { readonly deviceId: string; readonly level: AlarmLevel }[];
  /** The device's health as the fleet knows it; undefined when no status arrived yet. */
  readonly health?: {
    readonly online: boolean;
    readonly sensors: Readonly<Record<string, string>>;
    readonly decodeErrorRate: number;
  };
  readonly settings?: Partial<RiskSettings>;
}

export type RiskVerdict = Pick<RiskAssessment, 'level' | 'score' | 'reasons' | 'evidence'>;

const HEALTHY_SENSOR_STATES = new Set(['open', 'opening']);

function atLeast(level: AlarmLevel, floor: AlarmLevel): boolean {
  return levelRank(level) >= levelRank(floor);
}

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

function signSentence(present: readonly FireSign[]): string {
  const names = present.map((s) => FIRE_SIGN_NAMES[s]);
  if (present.length === 0) return 'no single sensor shows a clear sign of fire';
  if (present.length === 1) return `only ${names[0] ?? ''} is rising`;
  return `${list(names)} rising together`;
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${String(s)} s` : `${String(Math.round(s / 60))} min`;
}

/**
 * The cloud's verdict on one anomaly. The device's own level is the base and
 * the rules only move it up, conservatively: a high stays high; a medium
 * becomes high only with corroboration (a zone mate at medium or above, or
 * enough fire signs on the device: see {@link corroboratesItself}); a low
 * becomes medium only when enough fire signs agree and the device has kept
 * at it or a zone mate is in alarm too, and never goes higher; a device with
 * recent false alarms is never raised on its own evidence. History,
 * corroboration, false alarms and health move the score and are given as
 * reasons. A cleared alarm (level none) stays none.
 */
export function assessRisk(input: RiskInput): RiskVerdict {
  const settings = { ...DEFAULT_RISK_SETTINGS, ...input.settings };
  const { anomaly } = input;
  const device = anomaly.level;
  const reasons: string[] = [];
  const p = anomaly.probability;

  if (device === 'none') {
    return {
      level: 'none',
      score: round(p),
      reasons: [`alarm cleared on the device (was ${anomaly.previousLevel}), probability ${p.toFixed(2)}`],
      evidence: { deviceLevel: device, previousLevel: anomaly.previousLevel, probability: p },
    };
  }
  reasons.push(`device raised ${device} with probability ${p.toFixed(2)} from model ${anomaly.modelVersion}`);

  // Across sensors.
  const signs = readFireSigns(anomaly.features);
  const multiSign = signs.present.length >= 2;
  const fireSignature = isFireSignature(signs.present);
  const selfCorroborated = corroboratesItself(signs.present);
  reasons.push(signSentence(signs.present));

  // Across devices of the zone.
  const mates = [...input.zoneMates]
    .filter((m) => m.deviceId !== anomaly.deviceId && atLeast(m.level, 'low'))
    .sort((a, b) => levelRank(b.level) - levelRank(a.level) || a.deviceId.localeCompare(b.deviceId));
  const mateMedium = mates.some((m) => atLeast(m.level, 'medium'));
  if (mates.length > 0) {
    const named = mates.slice(0, 3).map((m) => `${m.deviceId} (${m.level})`);
    const more = mates.length > 3 ? ` and ${String(mates.length - 3)} more` : '';
    reasons.push(`corroborated by ${list(named)}${more} in zone ${input.zone}`);
  }

  // The device's own recent past.
  const windowStart = anomaly.ts - settings.historyWindowS * 1000;
  const earlier = input.history.filter((h) => h.messageTs >= windowStart && h.messageTs <= anomaly.ts);
  let since = anomaly.ts;
  for (let i = earlier.length - 1; i >= 0; i--) {
    const h = earlier[i];
    if (h === undefined || h.deviceLevel === 'none') break;
    since = h.messageTs;
  }
  const sustainedMs = anomaly.ts - since;
  const sustained = sustainedMs >= settings.sustainedAfterS * 1000;
  const raised = earlier.filter((h) => h.deviceLevel !== 'none').length + 1;
  const repeated = raised >= settings.repeatedCount;
  if (sustained) reasons.push(`in alarm for ${minutes(sustainedMs)}`);
  if (repeated)
    reasons.push(`${String(raised)} anomalies in the last ${minutes(settings.historyWindowS * 1000)}`);

  const falseAlarms = input.outcomes.filter((o) => o.outcome === 'false-alarm').length;
  const damped = falseAlarms > 0;
  if (damped) {
    reasons.push(
      `${String(falseAlarms)} recent incident${falseAlarms > 1 ? 's' : ''} on this device ${falseAlarms > 1 ? 'were false alarms' : 'was a false alarm'}`,
    );
  }

  const health = healthIssues(input.health, settings.decodeErrorLimit);
  reasons.push(...health.issues);

  // Level: only ever up, and only so far.
  let level: AlarmLevel = device;
  if (device === 'medium' && (mateMedium || (selfCorroborated && !damped))) {
    level = 'high';
    reasons.push(
      mateMedium
        ? 'raised to high: a zone mate is also at medium or above'
        : 'raised to high: several fire signs agree',
    );
  } else if (device === 'low' && selfCorroborated && !damped && (mates.length > 0 || sustained || repeated)) {
    level = 'medium';
    reasons.push('raised to medium: several fire signs agree and persist or are corroborated');
  }

  let score = p;
  if (fireSignature) score += 0.15;
  else if (multiSign) score += 0.1;
  if (mates.length > 0) score += mateMedium ? 0.15 : 0.1;
  if (mates.length > 1) score += 0.05;
  if (sustained) score += 0.05;
  if (repeated) score += 0.05;
  score -= Math.min(0.3, 0.1 * falseAlarms);
  score -= health.penalty;

  return {
    level,
    score: round(Math.min(1, Math.max(0, score))),
    reasons,
    evidence: {
      deviceLevel: device,
      previousLevel: anomaly.previousLevel,
      probability: p,
      modelVersion: anomaly.modelVersion,
      fireSigns: signs.present,
      signStrength: Object.fromEntries(Object.entries(signs.strength).map(([k, v]) => [k, round(v)])),
      missingSigns: signs.missing,
      zoneMates: mates.map((m) => ({ deviceId: m.deviceId, level: m.level })),
      sustainedS: Math.round(sustainedMs / 1000),
      recentAnomalies: raised,
      falseAlarms,
      health: health.issues,
    },
  };
}

/**
 * Enough independent signs for the device to corroborate itself: three, or
 * two of which one is CO or heat. Smoke beside a hot pan is what cooking
 * looks like (see the nuisance table of the fire scenarios), so a hotspot
 * with smoke alone raises the score but not the level.
 */
export function corroboratesItself(present: readonly FireSign[]): boolean {
  if (present.length >= 3) return true;
  return present.length === 2 && (present.includes('co') || present.includes('heat'));
}

function healthIssues(
  health: RiskInput['health'],
  decodeErrorLimit: number,
): { issues: string[]; penalty: number } {
  if (health === undefined) return { issues: [], penalty: 0 };
  const issues: string[] = [];
  let penalty = 0;
  if (!health.online) {
    issues.push('device is offline or silent: its latest readings may be out of date');
    penalty += 0.1;
  }
  const troubled = Object.entries(health.sensors)
    .filter(([, state]) => !HEALTHY_SENSOR_STATES.has(state))
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [id, state] of troubled) issues.push(`sensor ${id} is ${state}`);
  penalty += Math.min(0.15, 0.05 * troubled.length);
  if (health.decodeErrorRate > decodeErrorLimit) {
    issues.push(
      `${health.decodeErrorRate.toFixed(0)} checksum errors per 1000 frames: a serial line is noisy`,
    );
    penalty += 0.05;
  }
  return { issues, penalty };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
