import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { AnomalyMessage } from '../../shared/schemas/messages.js';
import { FleetState } from '../fleet/fleet-state.js';
import { IncidentStore } from '../incidents/incident-store.js';
import type { IncidentEvent } from '../contracts/cloud-values.js';
import type { RiskAssessment } from '../contracts/cloud-values.js';
import { AnalysisAgent } from './analysis-agent.js';

const T0 = 1_700_000_000_000;
const FIRE = { pm25_dev: 3, pm25_level: Math.log1p(200), co_dev: 30, co_d60: 0.1 };

let sequence = 0;
function anomaly(
  deviceId: string,
  ts: number,
  level: AlarmLevel,
  previousLevel: AlarmLevel,
  features: Record<string, number | null> = {},
): AnomalyMessage {
  sequence++;
  return {
    schemaVersion: 1,
    id: `0190-${String(sequence)}`,
    deviceId,
    ts,
    level,
    previousLevel,
    probability: { none: 0.1, low: 0.35, medium: 0.65, high: 0.9 }[level],
    modelVersion: 'gbdt-7',
    features,
    thermalSnapshot: null,
  };
}

describe('AnalysisAgent', () => {
  let folder: string;
  let clock: number;
  let fleet: FleetState;
  let incidents: IncidentStore;
  let agent: AnalysisAgent;
  let incidentEvents: IncidentEvent[];

  function startAll(): void {
    fleet = new FleetState({
      path: join(folder, 'fleet.db'),
      zones: { hall: ['gw-1', 'gw-2'] },
      now: () => clock,
    });
    incidents = new IncidentStore({ path: join(folder, 'incidents.db'), now: () => clock });
    fleet.start();
    incidents.start();
    agent = new AnalysisAgent({ fleet, incidents });
    agent.start();
    incidentEvents = [];
    incidents.on('incident', (event) => incidentEvents.push(event));
  }

  function stopAll(): void {
    agent.stop();
    incidents.stop();
    fleet.stop();
  }

  function handle(msg: AnomalyMessage): RiskAssessment | undefined {
    clock = msg.ts + 200;
    return agent.handleAnomaly(msg, clock);
  }

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ember-analysis-'));
    clock = T0;
    startAll();
  });

  afterEach(async () => {
    stopAll();
    await rm(folder, { recursive: true, force: true });
  });

  it('assesses a redelivered anomaly once, even after a restart', () => {
    const msg = anomaly('gw-1', T0, 'medium', 'none');
    const seen: RiskAssessment[] = [];
    agent.on('assessment', (a) => seen.push(a));
    const first = handle(msg);
    expect(first?.level).toBe('medium');
    expect(handle(msg)).toBeUndefined();
    stopAll();
    startAll();
    expect(handle(msg)).toBeUndefined();
    expect(incidents.list()).toHaveLength(1);
    expect(incidents.list()[0]?.messageIds).toEqual([msg.id]);
    expect(seen).toHaveLength(1);
  });

  it('follows a fire from low through medium to high as one incident at high', () => {
    const low = handle(anomaly('gw-1', T0, 'low', 'none', FIRE));
    const medium = handle(anomaly('gw-1', T0 + 20_000, 'medium', 'low', FIRE));
    const high = handle(anomaly('gw-1', T0 + 40_000, 'high', 'medium', FIRE));
    const list = incidents.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      deviceId: 'gw-1',
      zone: 'hall',
      level: 'high',
      state: 'open',
      assessments: 3,
    });
    expect([low?.incidentId, medium?.incidentId, high?.incidentId]).toEqual([
      list[0]?.id,
      list[0]?.id,
      list[0]?.id,
    ]);
    expect(incidentEvents.map((e) => e.change)).toEqual(['opened', 'escalated', 'updated']);
    // The medium was raised to high by smoke and CO agreeing; the device's own high then changed nothing.
    expect(medium?.level).toBe('high');
    expect(fleet.device('gw-1')).toMatchObject({ level: 'high', risk: 'high' });
    const window = incidents.dataWindow(list[0]?.id ?? '');
    expect(window.assessments.map((a) => a.deviceLevel)).toEqual(['low', 'medium', 'high']);
    expect(window.assessments[0]?.features).toEqual(FIRE);
  });

  it('opens nothing for a cleared alarm, and records it as risk none', () => {
    const cleared = handle(anomaly('gw-1', T0, 'none', 'low'));
    expect(cleared).toMatchObject({ level: 'none', incidentId: null });
    expect(incidents.list()).toEqual([]);
    expect(fleet.device('gw-1')?.risk).toBe('none');
  });

  it('raises a medium to high when a zone mate is in alarm, and says so', () => {
    handle(anomaly('gw-2', T0, 'medium', 'low'));
    const verdict = handle(anomaly('gw-1', T0 + 5000, 'medium', 'low'));
    expect(verdict?.level).toBe('high');
    expect(verdict?.reasons).toContain('corroborated by gw-2 (medium) in zone hall');
    expect(incidents.list().map((i) => [i.deviceId, i.level])).toEqual([
      ['gw-1', 'high'],
      ['gw-2', 'medium'],
    ]);
  });

  it('damps a device whose last incident was a false alarm', () => {
    const first = handle(anomaly('gw-1', T0, 'medium', 'none', FIRE));
    expect(first?.level).toBe('high');
    incidents.resolve(first?.incidentId ?? '', 'false-alarm', 'ops');
    const again = handle(anomaly('gw-1', T0 + 600_000, 'medium', 'none', FIRE));
    expect(again?.level).toBe('medium');
    expect(again?.reasons).toContain('1 recent incident on this device was a false alarm');
  });

  it('refuses work before start', () => {
    agent.stop();
    expect(() => agent.handleAnomaly(anomaly('gw-1', T0, 'low', 'none'), T0)).toThrow(/not started/);
  });
});
