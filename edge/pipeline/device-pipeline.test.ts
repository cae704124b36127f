import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import { AnomalyMessage } from '../../shared/schemas/messages.js';
import type { Reading } from '../../shared/schemas/readings.js';
import { MemoryOutbox } from '../outbox/memory-outbox.js';
import { DevicePipeline } from './device-pipeline.js';
import { ModelRunner } from './model-runner.js';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';

/** A heat-only kit: a BME680 reading `tempC`, nothing else. */
function env(ts: number, tempC: number): Reading {
  return {
    deviceId: 'gw-1',
    sensorId: 'env',
    ts,
    outOfRange: [],
    protocol: 'mcu680',
    temp_c: tempC,
    humidity_pct: 40,
    pressure_hpa: 1013,
    iaq: 25,
    iaq_accuracy: 3,
    gas_ohm: 150_000,
    altitude_m: 0,
  };
}

async function anomalies(outbox: MemoryOutbox): Promise<AnomalyMessage[]> {
  const messages = await outbox.lease(1000);
  return messages
    .filter((m) => m.topic.endsWith('/anomaly'))
    .map((m) => AnomalyMessage.parse(JSON.parse(Buffer.from(m.payload).toString('utf8'))));
}

describe('DevicePipeline floors', () => {
  it('raises a high from the heat floor on a heat-only kit, and the anomaly names the floor', async () => {
    const outbox = new MemoryOutbox();
    await outbox.start();
    const rules = new RuleModel();
    const pipeline = new DevicePipeline({
      deviceId: 'gw-1',
      outbox,
      runner: new ModelRunner({ currentModel: () => rules }, silentLogger()),
      policy: DEFAULT_ALARM_POLICY,
      logger: silentLogger(),
      telemetryEverySteps: 1_000_000,
    });
    // 21 °C for a minute, then a fire's ceiling jet: 0.3 °C/s, 8.3 °C in under half a minute.
    for (let s = 0; s <= 150; s++) {
      const ts = s * 1000;
      pipeline.push(env(ts, 21 + 0.3 * Math.max(0, s - 60)));
      await pipeline.step(ts);
    }
    await pipeline.stop();
    const highs = (await anomalies(outbox)).filter((a) => a.level === 'high');
    expect(highs).toHaveLength(1);
    expect(highs[0]?.floors).toEqual(['heat-rate-of-rise']);
    expect(highs[0]?.ts).toBeGreaterThan(60_000);
    expect(highs[0]?.ts).toBeLessThanOrEqual(60_000 + 30_000);
    expect(pipeline.stats.level).toBe('high');
  });
});
