import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { Incident, IncidentAction, RiskAssessment } from '../contracts/cloud-values.js';
import { levelRank } from '../../shared/alarm/alarm-policy.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { SyncPostgres } from '../database/sync-postgres.js';
import { CommitHold, type InTransaction } from './commit-hold.js';
import { IncidentQueries, type IncidentStatements } from './incident-queries.js';
import { POSTGRES_INCIDENT_MIGRATIONS } from './postgres-incident-schema.js';
import { PostgresIncidentQueries } from './postgres-incident-queries.js';
import { RecentAnomalies } from './recent-anomalies.js';
import { timeOrderedId } from './time-ordered-id.js';
import type {
  AssessmentContext,
  DeviceAnomaly,
  DeviceOutcome,
  IncidentDataWindow,
  IncidentListFilter,
  IncidentStoreEvents,
  IncidentStoreOptions,
  ZoneActivity,
} from './incident-types.js';
import type { IncidentEvent } from '../contracts/cloud-values.js';
import {
  INCIDENT_MIGRATIONS,
  toAction,
  toAssessment,
  toAssessmentData,
  asLevel,
  toAssessmentRow,
  toDeviceAnomaly,
  toIncident,
  toRecentAnomaly,
  type IncidentRow,
} from './incident-rows.js';
import {
  checkAcknowledge,
  checkOutcome,
  checkResolve,
  joinedIncident,
  listLimit,
  openedIncident,
  resolutionDetail,
} from './incident-transitions.js';
import { RECENT_PER_DEVICE, resolveIncidentSettings, type IncidentSettings } from './incident-settings.js';

/**
 * Incidents, the assessments behind them, what was done about them, and the
 * anomaly ids already handled. One SQLite file, or a PostgreSQL database
 * several workers share; every method is synchronous, and
 * {@link transaction} groups several into one commit, holding the
 * 'incident' events back until it commits.
 */
export class IncidentStore extends EventEmitter<IncidentStoreEvents> {
  readonly #path: string | undefined;
  readonly #postgres: SyncPostgres | undefined;
  readonly #settings: IncidentSettings;
  readonly #log: Logger;
  readonly #now: () => number;
  #db: Database.Database | undefined;
  #q: IncidentStatements | undefined;
  #pg: PostgresIncidentQueries | undefined;
  /** Made once per open file: better-sqlite3 prepares BEGIN and COMMIT each time a transaction function is made. */
  #inTransaction: InTransaction | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  /** What to do once the current transaction commits (emit events, fill the look-back). */
  readonly #commits = new CommitHold();
  #recent: RecentAnomalies;

  constructor(options: IncidentStoreOptions) {
    super();
    this.#path = options.path;
    this.#postgres =
      options.postgresUrl === undefined ? undefined : new SyncPostgres(options.postgresUrl, 'incident store');
    this.#settings = resolveIncidentSettings(options);
    this.#log = (options.logger ?? silentLogger()).child({ component: 'incidents' });
    this.#now = options.now ?? Date.now;
    this.#recent = new RecentAnomalies(RECENT_PER_DEVICE, this.#settings.lookBackMs);
  }

  /** Opens the file or database and prunes message ids past retention (again every pruneIntervalMs). */
  start(): void {
    if (this.#q !== undefined) return;
    if (this.#postgres !== undefined) this.#startPostgres(this.#postgres);
    else this.#startSqlite(this.#path ?? '');
    this.prune();
    this.#pruneTimer = setInterval(() => this.prune(), this.#settings.pruneIntervalMs);
    this.#pruneTimer.unref();
  }

  #startSqlite(path: string): void {
    const db = openCatalog(path, { synchronous: 'NORMAL', migrations: INCIDENT_MIGRATIONS });
    this.#db = db;
    this.#q = new IncidentQueries(db);
    this.#inTransaction = db.transaction((inner: () => unknown) => inner());
    this.#recent = new RecentAnomalies(RECENT_PER_DEVICE, this.#settings.lookBackMs);
    for (const row of this.#q.recentAssessments.all(this.#now() - this.#settings.lookBackMs)) {
      this.#recent.add(toRecentAnomaly(row));
    }
  }

  #startPostgres(pg: SyncPostgres): void {
    openMigrated(pg, 'incidents', POSTGRES_INCIDENT_MIGRATIONS);
    this.#pg = new PostgresIncidentQueries(pg);
    this.#q = this.#pg;
    this.#inTransaction = (work) => pg.transaction(work);
  }

  stop(): void {
    if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer);
    this.#pruneTimer = undefined;
    this.#db?.close();
    this.#postgres?.close();
    this.#db = undefined;
    this.#q = undefined;
    this.#pg = undefined;
    this.#inTransaction = undefined;
  }

  /** Runs `work` in one transaction (joins an enclosing one); events from inside follow the commit. */
  transaction<T>(work: () => T): T {
    if (this.#inTransaction === undefined) throw this.#notStarted();
    return this.#commits.run(this.#inTransaction, work);
  }

  /**
   * Inside a transaction: no other worker assesses this device's anomalies
   * until it ends, so the look-backs and the incident it joins are current.
   * On SQLite the one writer already is.
   */
  lockDevice(deviceId: string): void {
    this.#queries();
    this.#pg?.lockDevice.get(deviceId);
  }

  /** Remembers a message id; true the first time, false for a redelivery. */
  seen(messageId: string, ts: number): boolean {
    return this.#queries().markSeen.run(messageId, ts).changes === 1;
  }

  /** Forgets message ids older than the retention; returns how many. */
  prune(): number {
    const removed = this.#queries().pruneSeen.run(this.#now() - this.#settings.retentionMs).changes;
    if (removed > 0) this.#log.info({ removed }, 'pruned handled message ids');
    return removed;
  }

  /** Stores an assessment (with what it was made of, for learning). */
  record(assessment: RiskAssessment, context?: AssessmentContext): void {
    const row = toAssessmentRow(assessment, context);
    this.#queries().insertAssessment.run(row);
    if (this.#pg !== undefined) return;
    const recent = toRecentAnomaly(row);
    this.#commits.onCommit(() => {
      this.#recent.add(recent);
    });
  }

  /**
   * Joins the device's unresolved incident, raising its level when the
   * assessment is higher, or opens one. Undefined for level none: a cleared
   * alarm opens nothing. An escalation keeps an acknowledgement.
   */
  openOrJoin(assessment: RiskAssessment): IncidentEvent | undefined {
    if (assessment.level === 'none') return undefined;
    return this.transaction(() => this.#openOrJoin(assessment));
  }

  #openOrJoin(assessment: RiskAssessment): IncidentEvent {
    const q = this.#queries();
    const current = q.openIncidentOf.get(assessment.deviceId);
    let event: IncidentEvent;
    if (current === undefined) {
      const opened = openedIncident(assessment);
      q.insertIncident.run(opened);
      event = { incident: this.#incident(opened.id), change: 'opened' };
    } else {
      const { columns, change } = joinedIncident(current, assessment);
      q.joinIncident.run(columns);
      event = { incident: this.#incident(current.id), change };
    }
    this.#announce(event);
    return event;
  }

  acknowledge(id: string, by: string): Incident {
    return this.transaction(() => {
      const current = this.#row(id);
      checkAcknowledge(id, current.state);
      const ts = this.#now();
      this.#queries().acknowledge.run({ id, ts, by });
      this.#addAction(id, ts, 'acknowledged', `by ${by}`);
      const incident = this.#incident(id);
      this.#announce({ incident, change: 'acknowledged' });
      return incident;
    });
  }

  /** Closes an incident with its outcome (fire, false-alarm, test, unknown). */
  resolve(id: string, outcome: string, by: string, note?: string): Incident {
    checkOutcome(id, outcome);
    return this.transaction(() => {
      const current = this.#row(id);
      checkResolve(id, current.state);
      const ts = this.#now();
      this.#queries().resolve.run({ id, ts, by, outcome, note: note ?? null });
      this.#addAction(id, ts, 'resolved', resolutionDetail(outcome, by, note));
      const incident = this.#incident(id);
      this.#announce({ incident, change: 'resolved' });
      return incident;
    });
  }

  get(id: string): Incident | undefined {
    const row = this.#queries().incident.get(id);
    return row === undefined ? undefined : toIncident(row);
  }

  /** Newest first. */
  list(filter: IncidentListFilter = {}): Incident[] {
    return this.#queries()
      .list.all({
        state: filter.state ?? null,
        deviceId: filter.deviceId ?? null,
        limit: listLimit(filter.limit),
      })
      .map(toIncident);
  }

  /** The assessments joined to an incident, oldest first. */
  assessments(incidentId: string): RiskAssessment[] {
    return this.#queries().assessmentsOf.all(incidentId).map(toAssessment);
  }

  /** The incident with the features and probabilities of every assessment behind it. */
  dataWindow(incidentId: string): IncidentDataWindow {
    const row = this.#row(incidentId);
    const assessments = this.#queries().assessmentsOf.all(incidentId).map(toAssessmentData);
    return { incident: toIncident(row), resolvedBy: row.resolved_by, note: row.note, assessments };
  }

  recordAction(incidentId: string, kind: string, detail: string): IncidentAction {
    this.#row(incidentId);
    return this.#addAction(incidentId, this.#now(), kind, detail);
  }

  /**
   * Claims one page of an incident (`alerted`, `repeated 2`…) for this
   * process: true the first time anyone claims it, false ever after, so of
   * several workers that hear of an incident one sends each page.
   */
  claimPage(incidentId: string, page: string): boolean {
    this.#row(incidentId);
    return this.#queries().claimPage.run({ incidentId, page, ts: this.#now() }).changes === 1;
  }

  /** Oldest first. */
  actions(incidentId: string): IncidentAction[] {
    return this.#queries().actionsOf.all(incidentId).map(toAction);
  }

  /**
   * Every assessed anomaly of a device whose own timestamp (device clock) is
   * at or after `sinceMessageTs` and before `untilMessageTs`, oldest first.
   */
  deviceAnomalies(
    deviceId: string,
    sinceMessageTs: number,
    untilMessageTs = Number.MAX_SAFE_INTEGER,
  ): DeviceAnomaly[] {
    return this.#queries()
      .deviceAssessments.all(deviceId, sinceMessageTs, untilMessageTs)
      .map(toDeviceAnomaly);
  }

  /**
   * The analysis agent's look-back, from memory: the device's newest
   * anomalies (at most 32, within lookBackMs) with a device timestamp at or
   * after `sinceMessageTs`, oldest first.
   */
  recentAnomalies(deviceId: string, sinceMessageTs: number): DeviceAnomaly[] {
    this.#queries();
    if (this.#pg === undefined) return this.#recent.device(deviceId, sinceMessageTs);
    return this.#pg.deviceRecent
      .all(deviceId, this.#now() - this.#settings.lookBackMs, RECENT_PER_DEVICE)
      .filter((row) => row.message_ts >= sinceMessageTs)
      .reverse()
      .map(toDeviceAnomaly);
  }

  /**
   * From memory: per other device of the zone that raised low or above
   * since `sinceTs` (cloud clock, within lookBackMs), its highest level.
   */
  zoneActivity(zone: string, sinceTs: number, excludeDeviceId: string): ZoneActivity[] {
    this.#queries();
    if (this.#pg === undefined) return this.#recent.zone(zone, sinceTs, excludeDeviceId);
    const since = Math.max(sinceTs, this.#now() - this.#settings.lookBackMs);
    const best = new Map<string, ZoneActivity>();
    for (const row of this.#pg.zoneRecent.all(zone, since, excludeDeviceId)) {
      const level = asLevel(row.device_level);
      const known = best.get(row.device_id);
      best.set(row.device_id, {
        deviceId: row.device_id,
        level: known !== undefined && levelRank(known.level) > levelRank(level) ? known.level : level,
        ts: Math.max(known?.ts ?? 0, row.ts),
      });
    }
    return [...best.values()];
  }

  /** Outcomes of the device's incidents resolved since `sinceTs`, oldest first. */
  outcomesOf(deviceId: string, sinceTs: number): DeviceOutcome[] {
    return this.#queries()
      .outcomesOf.all(deviceId, sinceTs)
      .map((r) => ({ incidentId: r.id, outcome: r.outcome, resolvedAt: r.resolved_at }));
  }

  #addAction(incidentId: string, ts: number, kind: string, detail: string): IncidentAction {
    const row = { id: timeOrderedId(ts), incident_id: incidentId, ts, kind, detail };
    this.#queries().insertAction.run(row);
    return toAction(row);
  }

  #announce(event: IncidentEvent): void {
    this.#commits.onCommit(() => this.emit('incident', event));
  }

  #row(id: string): IncidentRow {
    const row = this.#queries().incident.get(id);
    if (row === undefined) throw new EmberError('EMBER_ERR_INCIDENT_NOT_FOUND', `no incident ${id}`);
    return row;
  }

  #incident(id: string): Incident {
    return toIncident(this.#row(id));
  }

  #queries(): IncidentStatements {
    if (this.#q === undefined) throw this.#notStarted();
    return this.#q;
  }

  #notStarted(): EmberError {
    return new EmberError(
      'EMBER_ERR_NOT_STARTED',
      `incident store ${this.#path ?? '(PostgreSQL)'} is not started`,
    );
  }
}
