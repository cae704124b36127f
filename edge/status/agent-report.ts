import { ALARM_LEVELS, levelRank, type AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { TroubleCondition } from '../../shared/schemas/messages.js';
import type { OutboxStats } from '../outbox/outbox.js';
import { PRIORITIES } from '../outbox/message.js';
import { LATENCY_BUCKETS_S, type LatencyHistogram } from '../pipeline/model-runner.js';
import type { ImplausibleReadings } from '../pipeline/sensor-plausibility.js';
import type { SerialSourceState, SerialSourceStats } from '../sensors/serial-source-events.js';
import { Exposition } from './prometheus.js';

/** One moment of the agent, as both endpoints report it. */
export interface AgentSnapshot {
  readonly deviceId: string;
  readonly linkOnline: boolean;
  readonly model: string;
  readonly modelVersion: string;
  readonly level: AlarmLevel;
  readonly probability: number;
  readonly steps: number;
  readonly sensors: readonly {
    readonly id: string;
    readonly protocol: string;
    readonly state: SerialSourceState;
    readonly readings: number;
    readonly stats: SerialSourceStats;
    /** Readings the features judged physically implausible (a faulty module). */
    readonly implausible: ImplausibleReadings;
  }[];
  readonly outbox: OutboxStats;
  /** The device's standing trouble conditions (a fire panel's trouble signal). */
  readonly trouble: readonly TroubleCondition[];
  /** Revision of the cloud's config the device runs; 0 before the first. */
  readonly configRevision: number;
  readonly now: number;
  readonly latency: LatencyHistogram;
  readonly published: number;
}

/** The /healthz body: ok while the pipeline runs, whatever the link does (the outbox covers outages). */
export function healthOf(s: AgentSnapshot): Record<string, unknown> & { ok: boolean } {
  return {
    ok: true,
    deviceId: s.deviceId,
    link: s.linkOnline ? 'online' : 'offline',
    model: s.model,
    level: s.level,
    sensors: Object.fromEntries(s.sensors.map((x) => [x.id, x.state])),
    outbox: { depth: s.outbox.messages, bytes: s.outbox.bytes, oldestAgeMs: s.outbox.oldestAgeMs },
    trouble: s.trouble,
    configRevision: s.configRevision,
  };
}

/** The /metrics body in Prometheus text format. */
export function metricsOf(s: AgentSnapshot): string {
  const e = new Exposition();
  const device = { device: s.deviceId };
  e.family('emberwatch_sensor_readings_total', 'counter', 'Valid frames decoded per sensor.');
  for (const x of s.sensors)
    e.sample('emberwatch_sensor_readings_total', x.readings, { ...device, sensor: x.id });
  e.family('emberwatch_sensor_checksum_errors_total', 'counter', 'Frames dropped for a bad checksum.');
  for (const x of s.sensors) {
    e.sample('emberwatch_sensor_checksum_errors_total', x.stats.checksumErrors, { ...device, sensor: x.id });
  }
  e.family(
    'emberwatch_sensor_implausible_readings_total',
    'counter',
    'Readings the module cannot physically give (saturated or stuck); its channels count as missing.',
  );
  for (const x of s.sensors) {
    e.sample('emberwatch_sensor_implausible_readings_total', x.implausible.count, {
      ...device,
      sensor: x.id,
    });
  }
  e.family('emberwatch_sensor_dropped_bytes_total', 'counter', 'Bytes skipped while looking for frames.');
  for (const x of s.sensors) {
    e.sample('emberwatch_sensor_dropped_bytes_total', x.stats.droppedBytes, { ...device, sensor: x.id });
  }
  e.family('emberwatch_sensor_reconnects_total', 'counter', 'Times a serial line came back.');
  for (const x of s.sensors)
    e.sample('emberwatch_sensor_reconnects_total', x.stats.reconnects, { ...device, sensor: x.id });
  e.family('emberwatch_sensor_up', 'gauge', '1 while the line is open and fresh.');
  for (const x of s.sensors)
    e.sample('emberwatch_sensor_up', x.state === 'open' ? 1 : 0, { ...device, sensor: x.id });
  e.histogram(
    'emberwatch_inference_seconds',
    'Time of one model prediction.',
    LATENCY_BUCKETS_S,
    s.latency.buckets,
    s.latency.count,
    s.latency.sumS,
  );
  e.family('emberwatch_outbox_messages', 'gauge', 'Messages waiting in the outbox per priority.');
  for (const p of PRIORITIES)
    e.sample('emberwatch_outbox_messages', s.outbox.byPriority[p].messages, { priority: p });
  e.family(
    'emberwatch_outbox_oldest_age_seconds',
    'gauge',
    'Age of the oldest waiting message per priority.',
  );
  for (const p of PRIORITIES) {
    const oldest = s.outbox.byPriority[p].oldestCreatedAt;
    e.sample(
      'emberwatch_outbox_oldest_age_seconds',
      oldest === undefined ? 0 : Math.max(0, s.now - oldest) / 1000,
      {
        priority: p,
      },
    );
  }
  e.family('emberwatch_outbox_bytes', 'gauge', 'Accounted bytes in the outbox.').sample(
    'emberwatch_outbox_bytes',
    s.outbox.bytes,
  );
  e.family('emberwatch_published_total', 'counter', 'Messages the broker acknowledged.').sample(
    'emberwatch_published_total',
    s.published,
  );
  e.family('emberwatch_trouble', 'gauge', 'Standing trouble conditions, one per kind and source.');
  e.sample('emberwatch_trouble', s.trouble.length, device);
  for (const t of s.trouble) {
    e.sample('emberwatch_trouble', 1, { ...device, kind: t.kind, source: t.source });
  }
  e.family('emberwatch_link_up', 'gauge', '1 while the MQTT link is online.').sample(
    'emberwatch_link_up',
    s.linkOnline ? 1 : 0,
    device,
  );
  e.family('emberwatch_model_info', 'gauge', 'The model that runs (value always 1).').sample(
    'emberwatch_model_info',
    1,
    {
      ...device,
      version: s.modelVersion,
    },
  );
  e.family(
    'emberwatch_alarm_level',
    'gauge',
    `Alarm level: ${ALARM_LEVELS.map((l, i) => `${String(i)}=${l}`).join(', ')}.`,
  );
  e.sample('emberwatch_alarm_level', levelRank(s.level), device);
  e.family('emberwatch_fire_probability', 'gauge', 'Probability of the last step.').sample(
    'emberwatch_fire_probability',
    s.probability,
    device,
  );
  e.family('emberwatch_steps_total', 'counter', 'Model steps taken.').sample(
    'emberwatch_steps_total',
    s.steps,
    device,
  );
  return e.toString();
}
