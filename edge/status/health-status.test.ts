import { describe, expect, it } from 'vitest';
import { StatusMessage } from '../../shared/schemas/messages.js';
import type { AgentSnapshot } from './agent-report.js';
import { healthStatusMessage } from './health-status.js';

const snapshot: AgentSnapshot = {
  deviceId: 'gw-1',
  linkOnline: false,
  model: 'rules (no model installed)',
  modelVersion: 'rules',
  level: 'medium',
  probability: 0.7,
  steps: 12,
  sensors: [
    {
      id: 'cam',
      protocol: 'mcu90640',
      state: 'open',
      readings: 40,
      stats: { frames: 40, checksumErrors: 2, droppedBytes: 17, reconnects: 1, bytesReceived: 70_000 },
      implausible: { count: 3, now: true },
    },
    {
      id: 'pm',
      protocol: 'pms5003',
      state: 'reconnecting',
      readings: 0,
      stats: { frames: 0, checksumErrors: 0, droppedBytes: 0, reconnects: 0, bytesReceived: 0 },
      implausible: { count: 0, now: false },
    },
  ],
  outbox: {
    byPriority: {
      alarm: { messages: 0, bytes: 0, oldestCreatedAt: undefined, evicted: 0 },
      anomaly: { messages: 1, bytes: 500, oldestCreatedAt: 1000, evicted: 0 },
      status: { messages: 0, bytes: 0, oldestCreatedAt: undefined, evicted: 0 },
      telemetry: { messages: 2, bytes: 800, oldestCreatedAt: 2000, evicted: 0 },
    },
    messages: 3,
    bytes: 1300,
    oldestAgeMs: 4500,
    leased: 0,
    quotaBytes: 1e6,
    hardCeilingBytes: 2e6,
  },
  trouble: [{ kind: 'sensor-silent', source: 'pm', since: 3000, detail: 'no frames for 30 s' }],
  configRevision: 3,
  now: 5500,
  latency: { buckets: [], count: 0, sumS: 0 },
  published: 0,
};

describe('healthStatusMessage', () => {
  it('builds a valid health status with every sensor and the outbox in seconds', () => {
    const message = healthStatusMessage(snapshot, {
      id: '0190a6c0-0000-7000-8000-000000000000',
      ts: 1_700_000_000_000.4,
      software: '1.2.3',
      uptimeS: 12.5,
      thermalPngBase64: 'iVBORw0K',
    });
    expect(StatusMessage.parse(message)).toEqual(message);
    expect(message).toMatchObject({
      kind: 'health',
      ts: 1_700_000_000_000,
      model: 'rules',
      modelStatus: 'rules (no model installed)',
      level: 'medium',
      outbox: { messages: 3, bytes: 1300, oldestAgeS: 4.5 },
    });
    expect(message.sensors['cam']).toEqual({
      protocol: 'mcu90640',
      state: 'open',
      frames: 40,
      checksumErrors: 2,
      droppedBytes: 17,
      reconnects: 1,
      implausibleReadings: 3,
      implausible: true,
    });
    expect(message.sensors['pm']).toMatchObject({ state: 'reconnecting', implausible: false });
    expect(message.trouble).toEqual([
      { kind: 'sensor-silent', source: 'pm', since: 3000, detail: 'no frames for 30 s' },
    ]);
    expect(message.configRevision).toBe(3);
  });

  it('leaves the picture out without a camera frame', () => {
    const message = healthStatusMessage(snapshot, { id: 'x', ts: 1, software: 's', uptimeS: 0 });
    expect('thermalPngBase64' in message).toBe(false);
    expect(StatusMessage.safeParse(message).success).toBe(true);
  });
});
