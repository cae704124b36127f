import type { Outcome } from '../../shared/schemas/outcomes.js';
import type { Incident } from '../contracts/cloud-values.js';
import type { IngestEvent, IngestHandlers } from '../ingest/ingest-types.js';
import type { PostgresChannel } from '../database/postgres-channel.js';
import type { CloudParts } from './cloud-parts.js';

/**
 * Every hand-off between the cloud's components, in one place. Components
 * know nothing of each other; this module says who hears what.
 *
 * A device's anomaly, from the broker to a page:
 *   ingest/cloud-ingest.ts        MQTT over mutual TLS, schema and topic checks
 *   → deviceRoutes().anomaly      (below)
 *   → analysis/analysis-agent.ts  risk from probability, history, corroboration, health
 *   → incidents/incident-store.ts opens or joins an incident, commits, announces it
 *   → wireEvents(): 'incident'    (below)
 *   → response/response-agent.ts  decides to log, notify, alert, repeat or escalate
 *   → response/webhook-notifier.ts signed webhooks with retries: the page
 *
 * An operator's verdict, from the API to the learning agent:
 *   api/cloud-api.ts → service/api-adapter.ts → resolveIncident() (below)
 *   → incidents/incident-store.ts resolve → learning/learning-agent.ts submit (queued)
 *   → the learning lease's holder (every worker on SQLite) learns it
 *   → wireEvents(): 'learned' → access/access-control.ts audit entry when
 *     the rules were made less sensitive
 */

/** Where each kind of device message goes. Handlers run one at a time, in arrival order. */
export function deviceRoutes(parts: CloudParts): IngestHandlers {
  return {
    anomaly: (message, receivedAt) => {
      const assessment = parts.analysis.handleAnomaly(message, receivedAt);
      if (assessment === undefined) parts.metrics.duplicatesDropped.inc({ kind: 'anomaly' });
      else if (assessment.incidentId !== null) {
        parts.metrics.anomalyToIncidentSeconds.observe(Math.max(0, Date.now() - receivedAt) / 1000);
      }
    },
    telemetry: (message, receivedAt) => void parts.fleet.applyTelemetry(message, receivedAt),
    health: async (message, receivedAt) => {
      parts.fleet.applyHealth(message, receivedAt);
      await parts.configs.deviceReported(message.deviceId, message.configRevision);
    },
    link: async (status, deviceId, receivedAt) => {
      parts.fleet.applyLink(status, receivedAt, deviceId);
      if (status.state !== 'online') return;
      // Back online: what it has not confirmed goes out again, in case the broker lost the retained copy.
      await parts.configs.deviceOnline(deviceId);
      await parts.models?.rollout?.deviceOnline(deviceId);
    },
    report: async (deviceId, report) => {
      await parts.models?.rollout?.handleReport(deviceId, report);
    },
  };
}

/** Counts every message the ingest sees, accepted or refused. */
export function countReceived(parts: CloudParts): (event: IngestEvent) => void {
  return (event) => {
    if (event.outcome === 'accepted') parts.metrics.messagesReceived.inc({ kind: event.kind });
    else parts.metrics.invalidMessages.inc({ kind: event.reason });
  };
}

/** Component events → the response agent, live updates to the dashboard, and metrics. */
export function wireEvents(parts: CloudParts): void {
  const { live } = parts;
  parts.analysis.on('assessment', (assessment, event) => {
    live.publish({ type: 'assessment', assessment });
    if (event?.change === 'opened') parts.metrics.incidentsOpened.inc({ level: event.incident.level });
  });
  parts.incidents.on('incident', (event) => {
    live.publish({ type: 'incident', incident: event.incident });
    void parts.response.handle(event);
  });
  parts.fleet.on('device', (device) => live.publish({ type: 'device', device: parts.withConfig(device) }));
  parts.configs.on('config', (deviceId) => {
    const device = parts.fleet.device(deviceId);
    if (device !== undefined) live.publish({ type: 'device', device: parts.withConfig(device) });
  });
  parts.alerts.on('alert', (alert) => live.publish({ type: 'alert', alert }));
  parts.access.on('audit', (entry) => live.publish({ type: 'audit', entry }));
  parts.learning.on('decision', (decision) => live.publish({ type: 'decision', decision }));
  // A device made less sensitive is on the audit record with the person whose outcome did it.
  parts.learning.on('learned', (decision, outcome) => {
    if (decision.action !== 'adjust-rules') return;
    parts.access
      .record(outcome.by, 'thresholds-changed', outcome.incident.deviceId, decision.explanation)
      .catch((error: unknown) => parts.logger.error({ err: error }, 'threshold change not audited'));
  });
  parts.notifier.on('delivery', (outcome) => parts.metrics.countDelivery(outcome));
  parts.models?.rollout?.on('progress', (rollout) => {
    live.publish({ type: 'rollout', rollout });
    if (rollout.state === 'completed') void parts.serving.refresh();
  });
}

/**
 * An operator's verdict on an incident: recorded at once, and queued with
 * the incident's data for the learning agent, which weighs it in the
 * background (on whichever worker holds the learning role).
 */
export function resolveIncident(
  parts: CloudParts,
  id: string,
  outcome: Outcome,
  by: string,
  note: string | undefined,
): Incident {
  const incident = parts.incidents.resolve(id, outcome, by, note);
  try {
    const window = parts.incidents.dataWindow(id);
    parts.learning.submit({ incident, outcome, by, ...(note === undefined ? {} : { note }), window });
  } catch (error) {
    parts.logger.error({ err: error, incident: id }, 'outcome not queued for learning');
  }
  return incident;
}

/**
 * Several workers on one database: an incident change, a learning decision
 * or a device's config change made on one worker reaches the live views of
 * the others (by id; each reads it from the shared store), and theirs reach
 * this one's.
 */
export function wireSharedLive(
  parts: Pick<CloudParts, 'incidents' | 'learning' | 'configs' | 'fleet' | 'live' | 'withConfig'>,
  channel: PostgresChannel,
): void {
  parts.incidents.on('incident', (event) => channel.publish({ type: 'incident', id: event.incident.id }));
  parts.learning.on('decision', (decision) => channel.publish({ type: 'decision', id: decision.id }));
  parts.configs.on('config', (deviceId) => channel.publish({ type: 'config', id: deviceId }));
  channel.on('message', (message) => {
    const id = message['id'];
    if (typeof id !== 'string') return;
    try {
      if (message['type'] === 'incident') {
        const incident = parts.incidents.get(id);
        if (incident !== undefined) parts.live.publish({ type: 'incident', incident });
      } else if (message['type'] === 'decision') {
        const decision = parts.learning.decision(id);
        if (decision !== undefined) parts.live.publish({ type: 'decision', decision });
      } else if (message['type'] === 'config') {
        const device = parts.fleet.device(id);
        if (device !== undefined) parts.live.publish({ type: 'device', device: parts.withConfig(device) });
      }
    } catch {
      // The store is stopping or the database away: a live view misses one update, nothing else.
    }
  });
}
