import { describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { IncidentState } from '../contracts/cloud-values.js';
import { ResponseAgent } from './response-agent.js';
import { stateFromActions, type RecordedAction } from './response-decision.js';
import {
  ManualClock,
  RecordingSender,
  TEST_RESPONSE_SETTINGS,
  incident,
} from './response-fixtures.test-helper.js';

/** An agent whose recorder keeps the actions with their times, as the incident store does. */
function agentOn(clock: ManualClock, actions: RecordedAction[], sender = new RecordingSender()) {
  const agent = new ResponseAgent({
    settings: TEST_RESPONSE_SETTINGS,
    recorder: { recordAction: (_id, kind) => actions.push({ kind, ts: clock.now() }) },
    notifier: sender,
    clock,
  });
  return { agent, sender };
}

const resumeOf = (level: AlarmLevel, actions: RecordedAction[], state: IncidentState = 'open') => [
  { incident: incident(level, state), actions },
];

describe('ResponseAgent after a restart', () => {
  it('carries a running emergency alert on where it was: the next repeat and the escalation on time', async () => {
    const clock = new ManualClock();
    const actions: RecordedAction[] = [];
    const before = agentOn(clock, actions);
    await before.agent.start();
    await before.agent.handle({ incident: incident('high'), change: 'opened' });
    await clock.advanceTo(70_000); // repeat 1 at 60 s
    await before.agent.stop();
    expect(actions.map((a) => a.kind)).toEqual(['alerted', 'repeated']);

    clock.time = 100_000; // the cloud comes back 40 s later
    const after = agentOn(clock, actions);
    await after.agent.start();
    await after.agent.resume(resumeOf('high', [...actions]));
    expect(after.sender.sent).toEqual([]);
    expect(after.agent.alerting()).toEqual(['inc-7']);
    await clock.advanceTo(125_000);
    expect(after.sender.sent.map((s) => [s.event, s.payload['repeat']])).toEqual([
      ['incident.alert.repeat', 2],
    ]);
    await clock.advanceTo(155_000);
    expect(after.sender.sent.map((s) => s.event)).toEqual(['incident.alert.repeat', 'incident.escalation']);
    await after.agent.stop();
  });

  it('sends what fell due while it was down once, not every repeat it missed', async () => {
    const clock = new ManualClock();
    clock.time = 400_000;
    const { agent, sender } = agentOn(clock, []);
    await agent.start();
    await agent.resume(resumeOf('high', [{ kind: 'alerted', ts: 0 }]));
    await clock.advanceTo(400_000);
    expect(sender.sent.map((s) => [s.event, s.payload['repeat'] ?? null])).toEqual([
      ['incident.alert.repeat', 1],
      ['incident.escalation', null],
    ]);
    await agent.stop();
  });

  it('sends the alert or notification an open incident never got', async () => {
    const clock = new ManualClock();
    const high = agentOn(clock, []);
    await high.agent.start();
    await high.agent.resume(resumeOf('high', []));
    expect(high.sender.sent.map((s) => [s.event, s.url])).toEqual([
      ['incident.alert', 'http://emergency.test/hook'],
    ]);
    await high.agent.stop();

    const medium = agentOn(clock, []);
    await medium.agent.start();
    await medium.agent.resume(resumeOf('medium', [{ kind: 'logged', ts: 0 }]));
    await medium.agent.resume(resumeOf('medium', [])); // already known: not sent twice
    expect(medium.sender.sent.map((s) => s.event)).toEqual(['incident.notification']);
    await medium.agent.stop();
  });

  it('leaves stopped, acknowledged and already handled incidents quiet', async () => {
    const clock = new ManualClock();
    const { agent, sender } = agentOn(clock, []);
    await agent.start();
    await agent.resume(
      resumeOf('high', [
        { kind: 'alerted', ts: 0 },
        { kind: 'stopped', ts: 5 },
      ]),
    );
    await agent.resume([{ incident: { ...incident('high', 'acknowledged'), id: 'inc-8' }, actions: [] }]);
    await agent.resume([
      { incident: { ...incident('medium'), id: 'inc-9' }, actions: [{ kind: 'notified', ts: 0 }] },
    ]);
    await clock.advanceTo(1_000_000);
    expect(sender.sent).toEqual([]);
    expect(agent.alerting()).toEqual([]);
    await agent.stop();
  });

  it('does nothing before start', async () => {
    const clock = new ManualClock();
    const { agent, sender } = agentOn(clock, []);
    await agent.resume(resumeOf('high', []));
    expect(sender.sent).toEqual([]);
  });
});

describe('stateFromActions', () => {
  it('rebuilds counters and times from the recorded actions, ignoring kinds it does not act on', () => {
    const state = stateFromActions('inc-1', [
      { kind: 'notified', ts: 1 },
      { kind: 'alerted', ts: 10 },
      { kind: 'suppressed', ts: 20 },
      { kind: 'repeated', ts: 70 },
      { kind: 'delivery-failed', ts: 71 },
      { kind: 'repeated', ts: 130 },
      { kind: 'escalated', ts: 160 },
    ]);
    expect(state).toEqual({
      incidentId: 'inc-1',
      logged: false,
      notified: true,
      alertedAt: 10,
      lastAlertAt: 130,
      repeats: 2,
      escalatedAt: 160,
      stopped: false,
    });
  });
});
