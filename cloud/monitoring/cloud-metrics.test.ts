import { describe, expect, it } from 'vitest';
import type { DeviceState, OperatorAlert, RolloutProgress } from '../contracts/cloud-values.js';
import { CloudMetrics } from './cloud-metrics.js';

function line(text: string, name: string): string | undefined {
  return text.split('\n').find((entry) => entry.startsWith(name));
}

describe('CloudMetrics', () => {
  it('counts events and reads its views at scrape time', async () => {
    let devices = [{ online: true }, { online: false }] as DeviceState[];
    const alerts: OperatorAlert[] = [
      { id: 'a', rule: 'device-offline', subject: 'gw-2', ts: 1, message: '', active: true },
      { id: 'b', rule: 'device-offline', subject: 'gw-3', ts: 1, message: '', active: false },
    ];
    const rollouts = [
      { version: 'gbdt-1', state: 'completed', startedAt: 1 },
      { version: 'gbdt-2', state: 'rolled-back', startedAt: 2 },
    ] as RolloutProgress[];
    const metrics = new CloudMetrics({
      fleet: { devices: () => devices },
      rollouts: { list: () => rollouts },
      alerts: { alerts: () => alerts },
    });
    metrics.messagesReceived.inc({ kind: 'anomaly' });
    metrics.messagesReceived.inc({ kind: 'anomaly' });
    metrics.incidentsOpened.inc({ level: 'high' });
    metrics.anomalyToIncidentSeconds.observe(0.004);
    metrics.countDelivery({
      deliveryId: 'd',
      event: 'incident.alert',
      purpose: 'emergency',
      target: 'http://x/',
      delivered: false,
      attempts: 5,
      status: 500,
    });

    const text = await metrics.text();
    expect(metrics.contentType).toContain('text/plain');
    expect(line(text, 'emberwatch_cloud_messages_received_total{kind="anomaly"}')).toMatch(/ 2$/);
    expect(line(text, 'emberwatch_cloud_incidents_opened_total{level="high"}')).toMatch(/ 1$/);
    expect(line(text, 'emberwatch_cloud_anomaly_to_incident_seconds_bucket{le="0.0025"}')).toMatch(/ 0$/);
    expect(line(text, 'emberwatch_cloud_anomaly_to_incident_seconds_bucket{le="0.005"}')).toMatch(/ 1$/);
    expect(line(text, 'emberwatch_cloud_webhook_failures_total{target="emergency"}')).toMatch(/ 1$/);
    expect(line(text, 'emberwatch_cloud_operator_alerts_active{rule="device-offline"}')).toMatch(/ 1$/);
    expect(line(text, 'emberwatch_cloud_operator_alerts_active{rule="decode-errors"}')).toMatch(/ 0$/);
    expect(line(text, 'emberwatch_cloud_devices_online ')).toBe('emberwatch_cloud_devices_online 1');
    expect(line(text, 'emberwatch_cloud_rollouts{state="rolled-back"}')).toMatch(/ 1$/);
    expect(line(text, 'emberwatch_cloud_rollout_latest')).toBe(
      'emberwatch_cloud_rollout_latest{version="gbdt-2",state="rolled-back"} 1',
    );

    devices = [];
    expect(line(await metrics.text(), 'emberwatch_cloud_devices_online ')).toBe(
      'emberwatch_cloud_devices_online 0',
    );
  });

  it('keeps each instance in its own registry', async () => {
    const first = new CloudMetrics();
    const second = new CloudMetrics();
    first.duplicatesDropped.inc({ kind: 'anomaly' });
    expect(await second.text()).not.toContain('emberwatch_cloud_duplicate_messages_total{kind="anomaly"}');
    expect(await first.text()).toContain('emberwatch_cloud_duplicate_messages_total{kind="anomaly"} 1');
  });
});
