import type { SensorHealth } from '../../shared/schemas/messages.js';

/** The running decode counters of one health message, kept to difference against the next one. */
export interface DecodeCounters {
  /** The agent's uptime when the counters were read; a smaller one next time means it restarted. */
  readonly uptimeS: number;
  /** Sensor id → valid frames and checksum failures since the agent started. */
  readonly sensors: Readonly<Record<string, { readonly frames: number; readonly checksumErrors: number }>>;
}

export interface DecodeErrorRate {
  /** Checksum failures per thousand frames received (valid plus failed) over the interval. */
  readonly rate: number;
  /** What to difference the next health message against. */
  readonly counters: DecodeCounters;
}

/** The counters of a health message, stripped of everything else. */
export function decodeCounters(
  uptimeS: number,
  sensors: Readonly<Record<string, SensorHealth>>,
): DecodeCounters {
  const out: Record<string, { frames: number; checksumErrors: number }> = {};
  for (const [id, sensor] of Object.entries(sensors)) {
    out[id] = { frames: sensor.frames, checksumErrors: sensor.checksumErrors };
  }
  return { uptimeS, sensors: out };
}

/**
 * Checksum failures per thousand frames between two consecutive health
 * messages. The agent's counters start at zero when it starts, so a smaller
 * uptime or a counter that went down means a restart: the new counters then
 * are the whole interval. Without an earlier message the counters since the
 * agent started are the interval. No frames at all gives 0.
 */
export function decodeErrorRate(
  previous: DecodeCounters | undefined,
  current: DecodeCounters,
): DecodeErrorRate {
  const restarted =
    previous === undefined ||
    current.uptimeS < previous.uptimeS ||
    Object.entries(current.sensors).some(([id, now]) => {
      const before = previous.sensors[id];
      return (
        before !== undefined && (now.frames < before.frames || now.checksumErrors < before.checksumErrors)
      );
    });
  let frames = 0;
  let errors = 0;
  for (const [id, now] of Object.entries(current.sensors)) {
    const before = restarted ? undefined : previous.sensors[id];
    frames += now.frames - (before?.frames ?? 0);
    errors += now.checksumErrors - (before?.checksumErrors ?? 0);
  }
  const total = frames + errors;
  return { rate: total > 0 ? (1000 * errors) / total : 0, counters: current };
}
