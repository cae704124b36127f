import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logging.js';
import { deviceStateFixture } from '../../test/helpers/device-state.js';
import { ALERT_RULES } from './alert-rules.js';
import { activeAlertsEmf, activeAlertsMetric } from './embedded-metrics.js';
import { OperatorAlerts } from './operator-alerts.js';

/** Checks a line the way CloudWatch reads embedded metrics: each declared metric is a number at the top level. */
function emfValues(line: Record<string, unknown>): Record<string, number> {
  const aws = line['_aws'] as {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  expect(typeof aws.Timestamp).toBe('number');
  const values: Record<string, number> = {};
  for (const directive of aws.CloudWatchMetrics) {
    for (const metric of directive.Metrics) {
      const value = line[metric.Name];
      expect(typeof value, metric.Name).toBe('number');
      values[`${directive.Namespace}:${metric.Name}`] = value as number;
    }
  }
  return values;
}

describe('active operator alerts in CloudWatch embedded metric format', () => {
  it('declares one metric per rule, zero where none is active', () => {
    const line = activeAlertsEmf('Emberwatch', { 'device-offline': 2 }, 1_700_000_000_000);
    expect(emfValues(line)).toEqual(
      Object.fromEntries(
        ALERT_RULES.map((rule) => [
          `Emberwatch:${activeAlertsMetric(rule)}`,
          rule === 'device-offline' ? 2 : 0,
        ]),
      ),
    );
  });

  it('is logged at every evaluation only when a namespace is configured', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const text of chunk.toString('utf8').split('\n'))
          if (text !== '') lines.push(JSON.parse(text) as never);
        callback();
      },
    });
    const logger = createLogger({ destination: sink, pretty: false });
    const offline = deviceStateFixture({ deviceId: 'gw-9', online: false });
    const fleet = { devices: () => [offline] };
    const quiet = new OperatorAlerts({ settings: {}, fleet, logger });
    await quiet.evaluate();
    expect(lines.filter((l) => '_aws' in l)).toEqual([]);

    const alerts = new OperatorAlerts({ settings: { cloudWatchNamespace: 'Emberwatch' }, fleet, logger });
    await alerts.evaluate();
    await alerts.evaluate();
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf.map((l) => emfValues(l)['Emberwatch:OperatorAlertsActive.device-offline'])).toEqual([1, 1]);
    expect(emf[0]?.['msg']).toBe('operator alerts active');
  });
});
