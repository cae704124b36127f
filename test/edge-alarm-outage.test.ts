import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkReconnect } from '../edge/agent-settings.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { startKit } from '../simulators/devices/start-kit.js';
import { sensorsOf, startEdgeBed, subscribeService, type EdgeBed } from './edge-setup.js';
import { mosquittoLinkBroker } from './helpers/link-brokers.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { sleep, waitFor } from './helpers/wait.js';

/**
 * A real edge agent raises low, medium and high while its broker is down (the
 * broker process really stopped, and the agent's port refusing), and must
 * deliver them within 5 s of the broker coming back, however far its
 * reconnect backoff has grown meanwhile.
 *
 * The long outage runs with the shipped backoff (1 s doubling to 60 s); its
 * length is EMBER_OUTAGE_S (40 s by default, by which time the backoff has
 * grown to 32 s). `EMBER_OUTAGE_S=120 npx vitest run test/edge-alarm-outage.test.ts`
 * plays the two-minute outage. Past that point nothing changes: the link no
 * longer waits out its backoff while an alarm waits, it tries every
 * `alarmRetryMs` (edge/link/iot-link.test.ts, test/link-contract.test.ts).
 */
const LONG_OUTAGE_MS = Number(process.env['EMBER_OUTAGE_S'] ?? 40) * 1000;
const SHIPPED_BACKOFF: LinkReconnect = { minMs: 1000, maxMs: 60_000, alarmRetryMs: 1000 };

/** Every probability (even 0 from quiet rules) is at or above 0: the level climbs one step at a time. */
const ALWAYS: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 2, clearAfter: 100 },
  medium: { threshold: 0, raiseAfter: 4, clearAfter: 100 },
  high: { threshold: 0, raiseAfter: 6, clearAfter: 100 },
  hysteresis: 0,
};

/** Runs one outage; returns ms from the broker's return to the arrival of the high alarm. */
async function alarmThroughOutage(
  bed: EdgeBed,
  deviceId: string,
  outageMs: number,
  reconnect: LinkReconnect,
): Promise<number> {
  const proxy = await startTcpProxy(bed.broker.port);
  // An emulated particle counter keeps readings coming: each alarm is verified by a second reading.
  const kit = await startKit({ devices: [{ id: 'pm', protocol: 'pms5003' }] }, { speed: 10 });
  const base = await bed.config(deviceId, sensorsOf(kit.devices));
  const config = { ...base, broker: { ...base.broker, port: proxy.port } };
  // The shipped drainer settings: only the link's retry is under test.
  const agent = await bed.agent(config, { timeScale: 10, reconnect, drainer: {} });
  try {
    await agent.start();
    await waitFor('the link online', () => agent.linkOnline, 10_000);
    proxy.refuse(true);
    await bed.broker.stopBroker();
    await waitFor('the link offline', () => !agent.linkOnline, 10_000);
    const outageStarted = performance.now();
    agent.pipeline.setPolicy(ALWAYS);
    await waitFor('low, medium and high stored', () => agent.pipeline.stats.anomalies >= 3, 10_000);
    const stored = (await agent.snapshot()).outbox.byPriority;
    expect(stored.alarm.messages + stored.anomaly.messages).toBe(3);
    await sleep(Math.max(0, outageMs - (performance.now() - outageStarted)));
    await bed.broker.startBroker();
    // The cloud is listening before the device can reach the broker again.
    const { client, received } = await subscribeService(bed.broker, deviceId);
    try {
      proxy.refuse(false);
      const back = performance.now();
      await waitFor('the high alarm', () => received.anomalies.some((a) => a.level === 'high'), 15_000);
      const deliveredMs = performance.now() - back;
      await waitFor('all three', () => received.anomalies.length >= 3, 5000);
      expect(received.anomalies.map((a) => a.level).sort()).toEqual(['high', 'low', 'medium']);
      console.log(
        `${deviceId}: outage ${String(Math.round(outageMs / 1000))} s, high alarm delivered ${String(Math.round(deliveredMs))} ms after the broker returned`,
      );
      return deliveredMs;
    } finally {
      await client.endAsync();
    }
  } finally {
    await agent.stop();
    await kit.stop();
    await proxy.close();
  }
}

describe('an alarm raised during a broker outage (embedded broker, MQTT 3.1.1)', () => {
  let bed: EdgeBed;
  beforeAll(async () => {
    bed = await startEdgeBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it(
    `is delivered within 5 s of the broker's return after ${String(LONG_OUTAGE_MS / 1000)} s with the shipped backoff`,
    async () => {
      expect(await alarmThroughOutage(bed, 'gw-outage-long', LONG_OUTAGE_MS, SHIPPED_BACKOFF)).toBeLessThan(
        5000,
      );
    },
    LONG_OUTAGE_MS + 60_000,
  );
});

describe('an alarm raised during a broker outage (mosquitto, MQTT 5)', () => {
  let bed: EdgeBed;
  beforeAll(async () => {
    bed = await startEdgeBed(() => mosquittoLinkBroker('mqtt5'));
  });
  afterAll(async () => {
    await bed.close();
  });

  it('is delivered within 5 s of the broker returning, though the backoff had grown to 8 s', async () => {
    const grown: LinkReconnect = { minMs: 8000, maxMs: 8000, alarmRetryMs: 1000 };
    expect(await alarmThroughOutage(bed, 'gw-outage-mqtt5', 10_000, grown)).toBeLessThan(5000);
  }, 60_000);
});
