import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageIntake } from '../cloud/ingest/message-intake.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { silentLogger } from '../shared/logging.js';
import type { TelemetryMessage } from '../shared/schemas/messages.js';
import { startKit } from '../simulators/devices/start-kit.js';
import { sensorsOf, startEdgeBed, subscribeService, type EdgeBed } from './edge-setup.js';
import { sleep, waitFor } from './helpers/wait.js';

/** Every probability (even 0 from quiet rules) is at or above 0: the level climbs one step at a time. */
const ALWAYS: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 2, clearAfter: 100 },
  medium: { threshold: 0, raiseAfter: 4, clearAfter: 100 },
  high: { threshold: 0, raiseAfter: 6, clearAfter: 100 },
  hysteresis: 0,
};

describe('edge agent through a broker outage', () => {
  let bed: EdgeBed;
  beforeAll(async () => {
    bed = await startEdgeBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('delivers every anomaly and telemetry message after the broker returns, anomalies first, the backlog packed', async () => {
    const deviceId = 'gw-outage-1';
    // One emulated particle counter on a pty: readings keep coming, so the alarm's verification (a
    // second reading must agree) is met while the broker is away.
    const kit = await startKit({ devices: [{ id: 'pm', protocol: 'pms5003' }] }, { speed: 10 });
    const config = await bed.config(deviceId, sensorsOf(kit.devices), { telemetryIntervalS: 1 });
    const agent = await bed.agent(config, { timeScale: 10 });
    await agent.start();
    await waitFor('the link online', () => agent.linkOnline, 10_000);
    const { received } = await subscribeService(bed.broker, deviceId);
    await bed.broker.stopBroker();
    agent.pipeline.setPolicy(ALWAYS);
    await waitFor('three anomalies stored', () => agent.pipeline.stats.anomalies >= 3, 10_000);
    await sleep(500);
    const stored = (await agent.snapshot()).outbox;
    expect(stored.byPriority.alarm.messages + stored.byPriority.anomaly.messages).toBe(3);
    expect(stored.byPriority.telemetry.messages).toBeGreaterThan(3);

    const telemetryBefore = received.telemetry.length;
    await bed.broker.startBroker();
    await waitFor('the outbox drained', () => received.anomalies.length >= 3, 20_000);
    let depth = -1;
    for (let i = 0; i < 100 && depth !== 0; i++) {
      depth = (await agent.snapshot()).outbox.messages;
      if (depth !== 0) await sleep(100);
    }
    expect(depth).toBe(0);
    await agent.stop();
    await kit.stop();
    const telemetryIds = new Set(received.telemetry.map((t) => t.id));
    expect(telemetryIds.size).toBeGreaterThanOrEqual(stored.byPriority.telemetry.messages);
    const ids = new Set(received.anomalies.map((a) => a.id));
    expect([...new Set(received.anomalies.map((a) => a.level))].sort()).toEqual(['high', 'low', 'medium']);
    expect(ids.size).toBe(3);
    // Strict priority: the backlog's anomalies arrive before its telemetry.
    const firstTelemetry = received.order.findIndex((o, i) => o.kind === 'telemetry' && i >= telemetryBefore);
    const lastAnomaly = received.order.map((o) => o.kind).lastIndexOf('anomaly');
    expect(firstTelemetry === -1 || lastAnomaly < firstTelemetry).toBe(true);

    // The backlog's telemetry went out packed, and the cloud's intake hands each record on once, even
    // when every publish comes twice (as QoS 1 redelivery may bring it).
    const packs = received.telemetryPublishes.filter((p) => p.packed);
    expect(packs.length).toBeGreaterThan(0);
    expect(received.telemetryPublishes.length).toBeLessThan(received.telemetry.length);
    const handed: TelemetryMessage[] = [];
    const ignore = (): void => undefined;
    const intake = new MessageIntake(
      {
        handlers: {
          telemetry: (m) => void handed.push(m),
          anomaly: ignore,
          health: ignore,
          link: ignore,
          report: ignore,
        },
      },
      silentLogger(),
    );
    for (const round of [1, 2]) {
      for (const p of received.telemetryPublishes) intake.accept(p.topic, p.payload);
      await intake.drain();
      // A message published just as the broker went may come again in the backlog: every repeat is
      // dropped, in the first round those and in the second all of them.
      expect(intake.telemetry.duplicates).toBe(round * received.telemetry.length - handed.length);
    }
    expect(handed.map((m) => m.id).sort()).toEqual([...telemetryIds].sort());
    expect(intake.telemetry.records).toBe(handed.reduce((n, m) => n + m.records.length, 0));
  }, 45_000);
});
