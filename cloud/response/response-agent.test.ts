import { describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { IncidentState } from '../contracts/cloud-values.js';
import { ResponseAgent } from './response-agent.js';
import type { IncidentChange } from '../contracts/cloud-values.js';
import {
  ManualClock,
  RecordingSender,
  TEST_RESPONSE_SETTINGS,
  incident,
} from './response-fixtures.test-helper.js';

function setup() {
  const clock = new ManualClock();
  const sender = new RecordingSender();
  const recorded: { incidentId: string; kind: string; detail: string }[] = [];
  const agent = new ResponseAgent({
    settings: { ...TEST_RESPONSE_SETTINGS, dashboardLink: 'http://dash.test/#/incidents/{incidentId}' },
    recorder: { recordAction: (incidentId, kind, detail) => recorded.push({ incidentId, kind, detail }) },
    notifier: sender,
    clock,
  });
  const send = (level: AlarmLevel, change: IncidentChange, state: IncidentState = 'open') =>
    agent.handle({ incident: incident(level, state), change });
  return { clock, sender, recorded, agent, send };
}

describe('ResponseAgent', () => {
  it('ignores events before start', async () => {
    const { sender, recorded, send } = setup();
    await send('high', 'opened');
    expect(sender.sent).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('notifies a medium incident once with its reasons and dashboard link', async () => {
    const { sender, recorded, agent, send } = setup();
    await agent.start();
    await send('medium', 'opened');
    await send('medium', 'updated');
    expect(sender.sent.map((entry) => entry.url)).toEqual(['http://notify.test/hook']);
    expect(sender.sent[0]?.payload).toMatchObject({
      type: 'incident.notification',
      level: 'medium',
      reasons: ['probability 0.93 from model gbdt'],
      dashboardUrl: 'http://dash.test/#/incidents/inc-7',
    });
    expect(recorded.map((entry) => entry.kind)).toEqual(['notified', 'suppressed']);
    await agent.stop();
  });

  it('alerts, repeats, escalates and stops a high incident on acknowledgement', async () => {
    const { clock, sender, recorded, agent, send } = setup();
    const emitted: string[] = [];
    agent.on('action', (action) => emitted.push(action.kind));
    await agent.start();
    await send('high', 'opened');
    await clock.advanceTo(200_000);
    expect(sender.sent.map((entry) => `${entry.purpose}:${entry.event}`)).toEqual([
      'emergency:incident.alert',
      'emergency:incident.alert.repeat',
      'emergency:incident.alert.repeat',
      'escalation:incident.escalation',
      'emergency:incident.alert.repeat',
      'escalation:incident.alert.repeat',
    ]);
    expect(agent.alerting()).toEqual(['inc-7']);
    await send('high', 'acknowledged', 'acknowledged');
    expect(agent.alerting()).toEqual([]);
    expect(clock.pending()).toBe(0);
    const before = sender.sent.length;
    await clock.advanceTo(1_000_000);
    expect(sender.sent.length).toBe(before);
    expect(recorded.map((entry) => entry.kind)).toEqual([
      'alerted',
      'repeated',
      'repeated',
      'escalated',
      'repeated',
      'stopped',
    ]);
    expect(emitted).toEqual(recorded.map((entry) => entry.kind));
    await agent.stop();
  });

  it('records a failed delivery per target without stopping the others', async () => {
    const recorded: { kind: string; detail: string }[] = [];
    const sender = new RecordingSender();
    sender.failUrls.add('http://emergency.test/hook?token=x');
    const agent = new ResponseAgent({
      settings: { emergency: [{ url: 'http://emergency.test/hook?token=x' }, { url: 'http://ok.test/' }] },
      recorder: { recordAction: (_id, kind, detail) => recorded.push({ kind, detail }) },
      notifier: sender,
    });
    await agent.start();
    await agent.handle({ incident: incident('high'), change: 'opened' });
    await agent.stop();
    expect(sender.sent.map((entry) => entry.url)).toEqual([
      'http://emergency.test/hook?token=x',
      'http://ok.test/',
    ]);
    expect(recorded.map((entry) => entry.kind)).toEqual(['alerted', 'delivery-failed']);
    expect(recorded[0]?.detail).toContain('delivered to 1 of 2');
    expect(recorded[1]?.detail).toBe('emergency http://emergency.test/hook: HTTP 500');
  });

  it('keeps going when the recorder throws', async () => {
    const clock = new ManualClock();
    const sender = new RecordingSender();
    const agent = new ResponseAgent({
      settings: { emergency: [{ url: 'http://emergency.test/hook' }], repeatEveryS: 1 },
      recorder: {
        recordAction: () => {
          throw new Error('database is closed');
        },
      },
      notifier: sender,
      clock,
    });
    await agent.start();
    await agent.handle({ incident: incident('high'), change: 'opened' });
    await clock.advanceTo(1000);
    expect(sender.sent.length).toBe(2);
    await agent.stop();
    expect(clock.pending()).toBe(0);
  });
});
