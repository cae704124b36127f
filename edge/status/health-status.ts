import type { StatusMessage } from '../../shared/schemas/messages.js';
import type { AgentSnapshot } from './agent-report.js';

/** What a health status says besides the agent snapshot. */
export interface HealthContext {
  /** UUIDv7 of this message. */
  readonly id: string;
  /** When it was built, ms since the epoch (the agent's clock). */
  readonly ts: number;
  readonly software: string;
  readonly uptimeS: number;
  /** Base64 PNG of the newest thermal frame; absent without a camera. */
  readonly thermalPngBase64?: string | undefined;
}

/** The periodic health summary (topic `status`, kind `health`) of one agent snapshot. Pure. */
export function healthStatusMessage(snapshot: AgentSnapshot, context: HealthContext): StatusMessage {
  const message: StatusMessage = {
    schemaVersion: 1,
    kind: 'health',
    id: context.id,
    deviceId: snapshot.deviceId,
    ts: Math.max(0, Math.round(context.ts)),
    software: context.software,
    uptimeS: Math.max(0, context.uptimeS),
    model: snapshot.modelVersion,
    modelStatus: snapshot.model,
    level: snapshot.level,
    probability: Math.min(1, Math.max(0, Number.isFinite(snapshot.probability) ? snapshot.probability : 0)),
    sensors: Object.fromEntries(
      snapshot.sensors.map((s) => [
        s.id,
        {
          protocol: s.protocol,
          state: s.state,
          frames: s.stats.frames,
          checksumErrors: s.stats.checksumErrors,
          droppedBytes: s.stats.droppedBytes,
          reconnects: s.stats.reconnects,
          implausibleReadings: s.implausible.count,
          implausible: s.implausible.now,
        },
      ]),
    ),
    outbox: {
      messages: snapshot.outbox.messages,
      bytes: snapshot.outbox.bytes,
      oldestAgeS: Math.max(0, snapshot.outbox.oldestAgeMs) / 1000,
    },
    trouble: [...snapshot.trouble],
    configRevision: snapshot.configRevision,
  };
  return context.thermalPngBase64 === undefined
    ? message
    : { ...message, thermalPngBase64: context.thermalPngBase64 };
}
