import { describe, expect, it } from 'vitest';
import type { Incident } from '../contracts/cloud-values.js';
import { ResponseAgent, type ActionRecorder } from './response-agent.js';
import type { RecordedAction } from './response-decision.js';
import {
  ManualClock,
  RecordingSender,
  TEST_RESPONSE_SETTINGS,
  incident,
} from './response-fixtures.test-helper.js';

/** What two workers share through the database: page claims, the incident as it is now, recorded actions. */
function sharedDatabase(clock?: ManualClock) {
  const claims = new Set<string>();
  const recorded: string[] = [];
  const actions: RecordedAction[] = [];
  let current: Incident = incident('high');
  const recorder = (worker: string): ActionRecorder => ({
    recordAction: (_id, kind) => {
      actions.push({ kind, ts: clock?.now() ?? 0 });
      return recorded.push(`${worker} ${kind}`);
    },
    claimPage: (id, page) => {
      const key = `${id} ${page}`;
      if (claims.has(key)) return false;
      claims.add(key);
      return true;
    },
    current: () => current,
  });
  return {
    recorded,
    actions,
    recorder,
    update(next: Incident) {
      current = next;
    },
  };
}

describe('ResponseAgent on several workers', () => {
  it('sends each page once whichever worker hears of the incident, and stops when another acknowledges it', async () => {
    const db = sharedDatabase();
    const clock = new ManualClock();
    const sender = new RecordingSender();
    const agents = ['a', 'b'].map(
      (worker) =>
        new ResponseAgent({
          settings: TEST_RESPONSE_SETTINGS,
          recorder: db.recorder(worker),
          notifier: sender,
          clock,
        }),
    );
    const [a, b] = agents;
    if (a === undefined || b === undefined) throw new Error('two agents');
    await a.start();
    await b.start();
    // Worker a opens the incident; worker b assesses the next anomaly and hears of it too.
    await a.handle({ incident: incident('high'), change: 'opened' });
    await b.handle({ incident: incident('high'), change: 'updated' });
    await clock.advanceTo(200_000);
    expect(sender.sent.map((entry) => `${entry.purpose}:${entry.event}`)).toEqual([
      'emergency:incident.alert',
      'emergency:incident.alert.repeat',
      'emergency:incident.alert.repeat',
      'escalation:incident.escalation',
      'emergency:incident.alert.repeat',
      'escalation:incident.alert.repeat',
    ]);
    expect(db.recorded.filter((r) => !r.endsWith('suppressed'))).toHaveLength(5);

    // Worker a records the acknowledgement; b's timer finds the incident acknowledged and sends nothing more.
    db.update(incident('high', 'acknowledged'));
    await a.handle({ incident: incident('high', 'acknowledged'), change: 'acknowledged' });
    const before = sender.sent.length;
    await clock.advanceTo(1_000_000);
    expect(sender.sent.length).toBe(before);
    expect(a.alerting()).toEqual([]);
    expect(b.alerting()).toEqual([]);
    await a.stop();
    await b.stop();
  });

  it('sends the page itself when the database cannot say who claimed it', async () => {
    const sender = new RecordingSender();
    const agent = new ResponseAgent({
      settings: TEST_RESPONSE_SETTINGS,
      recorder: {
        recordAction: () => undefined,
        claimPage: () => {
          throw new Error('connection lost');
        },
      },
      notifier: sender,
      clock: new ManualClock(),
    });
    await agent.start();
    await agent.handle({ incident: incident('high'), change: 'opened' });
    expect(sender.sent.map((entry) => entry.event)).toEqual(['incident.alert']);
    await agent.stop();
  });

  it('runs repeats and escalation only on the worker holding them, and another carries them on from the database when it dies', async () => {
    const clock = new ManualClock();
    const db = sharedDatabase(clock);
    const sender = new RecordingSender();
    const make = (worker: string, repeatsHeld: boolean): ResponseAgent =>
      new ResponseAgent({
        settings: TEST_RESPONSE_SETTINGS,
        recorder: db.recorder(worker),
        notifier: sender,
        clock,
        repeatsHeld,
      });
    const [a, b, c] = [make('a', false), make('b', false), make('c', false)];
    for (const agent of [a, b, c]) await agent.start();
    const pages = (): string[] =>
      sender.sent.map(
        (s) => `${s.event} ${typeof s.payload['repeat'] === 'number' ? String(s.payload['repeat']) : ''}`,
      );

    // Worker a assesses the anomaly: it sends the first page but keeps no timer.
    await a.handle({ incident: incident('high'), change: 'opened' });
    expect(a.alerting()).toEqual([]);
    // Worker b holds the repeats: it adopts the incident from the database and repeats it.
    clock.time = 5_000;
    await b.adoptAlerts([incident('high')], () => db.actions);
    expect(b.alerting()).toEqual(['inc-7']);
    await clock.advanceTo(70_000);
    expect(pages()).toEqual(['incident.alert ', 'incident.alert.repeat 1']);
    expect(a.alerting()).toEqual([]);

    // b is killed: its timers die with it. c takes the lease over and carries on where b was.
    await b.stop();
    clock.time = 100_000;
    await c.adoptAlerts([incident('high')], () => db.actions);
    await clock.advanceTo(200_000);
    expect(pages()).toEqual([
      'incident.alert ',
      'incident.alert.repeat 1',
      'incident.alert.repeat 2',
      'incident.escalation ',
      'incident.alert.repeat 3',
      'incident.alert.repeat 3',
    ]);
    expect(db.recorded.filter((r) => !r.endsWith('suppressed'))).toEqual([
      'a alerted',
      'b repeated',
      'c repeated',
      'c escalated',
      'c repeated',
    ]);

    // Giving the repeats up stops c's timers; adopting again later changes nothing already done.
    c.releaseRepeats();
    expect(c.alerting()).toEqual([]);
    await a.stop();
    await c.stop();
  });
});
