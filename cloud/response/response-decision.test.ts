import { describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { IncidentState } from '../contracts/cloud-values.js';
import {
  decideOnEvent,
  decideOnTimer,
  initialResponseState,
  nextDueAt,
  type IncidentResponseState,
} from './response-decision.js';
import { type IncidentChange } from '../contracts/cloud-values.js';
import { incident } from './response-fixtures.test-helper.js';

const timing = { repeatEveryS: 60, escalateAfterS: 300, maxRepeats: 3 };

function event(level: AlarmLevel, change: IncidentChange, state: IncidentState = 'open') {
  return { incident: incident(level, state, 'inc-1'), change };
}

describe('decideOnEvent', () => {
  it('logs a low incident once and stays quiet on its updates', () => {
    const first = decideOnEvent(undefined, event('low', 'opened'), 0);
    expect(first.steps.map((step) => step.kind)).toEqual(['logged']);
    expect(first.steps[0]?.targets).toEqual([]);
    const second = decideOnEvent(first.state, event('low', 'updated'), 1);
    expect(second.steps).toEqual([]);
  });

  it('notifies a medium incident once, then suppresses', () => {
    const first = decideOnEvent(undefined, event('medium', 'opened'), 0);
    expect(first.steps).toMatchObject([{ kind: 'notified', targets: ['notify'] }]);
    const second = decideOnEvent(first.state, event('medium', 'updated'), 1);
    expect(second.steps).toMatchObject([{ kind: 'suppressed', targets: [] }]);
    expect(nextDueAt(second.state, timing)).toBeNull();
  });

  it('alerts a high incident at once and schedules its repeat', () => {
    const decision = decideOnEvent(undefined, event('high', 'opened'), 1000);
    expect(decision.steps).toMatchObject([{ kind: 'alerted', targets: ['emergency'] }]);
    expect(decision.state.alertedAt).toBe(1000);
    expect(nextDueAt(decision.state, timing)).toBe(61_000);
  });

  it('alerts a medium incident that escalates to high, after its notification', () => {
    const medium = decideOnEvent(undefined, event('medium', 'opened'), 0);
    const high = decideOnEvent(medium.state, event('high', 'escalated'), 5000);
    expect(high.steps).toMatchObject([{ kind: 'alerted', targets: ['emergency'] }]);
    expect(high.state.alertedAt).toBe(5000);
  });

  it('suppresses further events of a high incident that is already alerting', () => {
    const high = decideOnEvent(undefined, event('high', 'opened'), 0);
    const again = decideOnEvent(high.state, event('high', 'updated'), 10);
    expect(again.steps.map((step) => step.kind)).toEqual(['suppressed']);
    expect(again.state).toEqual(high.state);
  });

  it('stops an alerting incident once acknowledged, naming who', () => {
    const high = decideOnEvent(undefined, event('high', 'opened'), 0);
    const ack = decideOnEvent(high.state, event('high', 'acknowledged', 'acknowledged'), 10);
    expect(ack.steps).toMatchObject([{ kind: 'stopped', targets: [] }]);
    expect(ack.steps[0]?.detail).toContain('dana');
    expect(ack.state.stopped).toBe(true);
    expect(nextDueAt(ack.state, timing)).toBeNull();
    expect(decideOnEvent(ack.state, event('high', 'updated'), 20).steps).toEqual([]);
  });

  it('records nothing when an incident that never alerted is resolved', () => {
    const medium = decideOnEvent(undefined, event('medium', 'opened'), 0);
    const resolved = decideOnEvent(medium.state, event('medium', 'resolved', 'resolved'), 10);
    expect(resolved.steps).toEqual([]);
    expect(resolved.state.stopped).toBe(true);
  });
});

describe('decideOnTimer', () => {
  function alerted(at: number): IncidentResponseState {
    return { ...initialResponseState('inc-1'), alertedAt: at, lastAlertAt: at };
  }

  it('does nothing before a repeat is due', () => {
    expect(decideOnTimer(alerted(0), 59_999, timing).steps).toEqual([]);
  });

  it('repeats to the emergency targets, then escalates, then repeats to both', () => {
    let state = alerted(0);
    const kinds: string[] = [];
    const targets: string[][] = [];
    for (let now = 60_000; now <= 360_000; now += 60_000) {
      const decision = decideOnTimer(state, now, { ...timing, maxRepeats: 10 });
      state = decision.state;
      for (const step of decision.steps) {
        kinds.push(step.kind);
        targets.push([...step.targets]);
      }
    }
    expect(kinds).toEqual([
      'repeated',
      'repeated',
      'repeated',
      'repeated',
      'repeated',
      'escalated',
      'repeated',
    ]);
    expect(targets[4]).toEqual(['emergency']);
    expect(targets[5]).toEqual(['escalation']);
    expect(targets[6]).toEqual(['emergency', 'escalation']);
    expect(state.repeats).toBe(6);
    expect(state.escalatedAt).toBe(300_000);
  });

  it('falls silent after maxRepeats but still escalates', () => {
    let state = alerted(0);
    for (let now = 60_000; now <= 180_000; now += 60_000) state = decideOnTimer(state, now, timing).state;
    expect(state.repeats).toBe(3);
    expect(nextDueAt(state, timing)).toBe(300_000);
    const last = decideOnTimer(state, 300_000, timing);
    expect(last.steps.map((step) => step.kind)).toEqual(['escalated']);
    expect(nextDueAt(last.state, timing)).toBeNull();
  });

  it('numbers its repeats', () => {
    const decision = decideOnTimer(alerted(0), 60_000, timing);
    expect(decision.steps[0]?.repeat).toBe(1);
    expect(decision.steps[0]?.detail).toBe('repeat 1 of 3');
  });

  it('does nothing for a stopped incident', () => {
    expect(decideOnTimer({ ...alerted(0), stopped: true }, 600_000, timing).steps).toEqual([]);
  });
});
