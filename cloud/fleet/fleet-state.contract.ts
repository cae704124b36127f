import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import type { LinkStatus } from '../../shared/schemas/link-status.js';
import type {
  AnomalyMessage,
  SensorHealth,
  StatusMessage,
  TelemetryMessage,
} from '../../shared/schemas/messages.js';
import type { DeviceState } from '../contracts/cloud-values.js';
import { FleetState, type FleetStateOptions } from './fleet-state.js';
import { IMPLAUSIBLE_STATE } from './device-updates.js';

const T0 = 1_700_000_000_000;

function sensor(frames: number, checksumErrors: number, state = 'open'): SensorHealth {
  return { protocol: 'pms5003', state, frames, checksumErrors, droppedBytes: 0, reconnects: 0 };
}

function health(
  deviceId: string,
  ts: number,
  uptimeS: number,
  sensors: Record<string, SensorHealth>,
): StatusMessage {
  return {
    schemaVersion: 1,
    kind: 'health',
    id: `h-${String(ts)}`,
    deviceId,
    ts,
    software: '0.1.0',
    uptimeS,
    model: 'gbdt-7',
    modelStatus: 'active',
    level: 'none',
    probability: 0.02,
    sensors,
    outbox: { messages: 12, bytes: 3000, oldestAgeS: 4 },
  };
}

function anomaly(deviceId: string, ts: number, level: AnomalyMessage['level'], png?: string): AnomalyMessage {
  return {
    schemaVersion: 1,
    id: `a-${String(ts)}`,
    deviceId,
    ts,
    level,
    previousLevel: 'none',
    probability: 0.7,
    modelVersion: 'gbdt-7',
    features: {},
    thermalSnapshot: png === undefined ? null : { pngBase64: png },
  };
}

function telemetry(deviceId: string, points: [number, number][]): TelemetryMessage {
  return {
    schemaVersion: 1,
    id: `t-${String(points[0]?.[0] ?? 0)}`,
    deviceId,
    ts: points[points.length - 1]?.[0] ?? 0,
    records: points.map(([ts, co]) => ({
      ts,
      probability: 0.1,
      level: 'none',
      levels: { co, pm25: null },
      steps: 5,
    })),
  };
}

function link(deviceId: string, state: 'online' | 'offline', at?: number): LinkStatus {
  return {
    state,
    deviceId,
    version: '0.1.0',
    protocol: 'mqtt5',
    ...(at === undefined ? { reason: 'lost' as const } : { ts: new Date(at).toISOString() }),
  };
}

/** Where one test's fleet keeps its devices: a fresh SQLite file or PostgreSQL database, reused across restarts. */
export interface FleetBackend {
  /** The `path` or `postgresUrl` option of every fleet the test opens. */
  readonly where: Pick<FleetStateOptions, 'path' | 'postgresUrl'>;
  dispose(): Promise<void>;
}

/**
 * The behaviour every home of the fleet state must have: one suite, run
 * on a SQLite file and on PostgreSQL.
 */
export function describeFleetStateContract(name: string, makeBackend: () => Promise<FleetBackend>): void {
  describe(`FleetState on ${name}`, () => {
    let backend: FleetBackend;
    let clock: number;
    const fleets: FleetState[] = [];

    function open(options: Partial<FleetStateOptions> = {}): FleetState {
      const fleet = new FleetState({ ...backend.where, now: () => clock, ...options });
      fleet.start();
      fleets.push(fleet);
      return fleet;
    }

    beforeEach(async () => {
      backend = await makeBackend();
      clock = T0;
    });

    afterEach(async () => {
      for (const fleet of fleets.splice(0)) fleet.stop();
      await backend.dispose();
    });

    it('refuses a device placed in two zones and bad numbers, naming them', () => {
      const error = (() => {
        try {
          return new FleetState({ path: 'x', zones: { a: ['gw-1'], b: ['gw-1'] } });
        } catch (caught) {
          return caught;
        }
      })();
      expect(isEmberError(error, 'EMBER_ERR_BAD_CONFIG') && error.message).toContain(
        'gw-1 is in both a and b',
      );
      expect(() => new FleetState({ path: 'x', historyPoints: 0 })).toThrow('historyPoints');
    });

    it('shows a sensor whose readings are implausible as such while its line is up', () => {
      const fleet = open({});
      const pinned = { ...sensor(900, 0), implausible: true, implausibleReadings: 40 };
      fleet.applyHealth(
        health('gw-3', T0, 60, { co: pinned, pm: { ...sensor(900, 0), implausible: false } }),
      );
      expect(fleet.device('gw-3')?.sensors).toEqual({ co: IMPLAUSIBLE_STATE, pm: 'open' });
      fleet.applyHealth(
        health('gw-3', T0 + 5000, 65, { co: { ...pinned, implausible: false }, pm: sensor(950, 0) }),
      );
      expect(fleet.device('gw-3')?.sensors).toEqual({ co: 'open', pm: 'open' });
      // A line that drops while the module looked faulty shows the outage.
      fleet.applyHealth(health('gw-3', T0 + 9000, 69, { co: { ...pinned, state: 'reconnecting' } }));
      expect(fleet.device('gw-3')?.sensors).toEqual({ co: 'reconnecting' });
    });

    it('keeps the trouble conditions of the newest health status, none from an agent that predates them', () => {
      const fleet = open({});
      const silent = {
        kind: 'sensor-silent' as const,
        source: 'co',
        since: T0 - 60_000,
        detail: 'no frames',
      };
      fleet.applyHealth({ ...health('gw-4', T0, 60, { co: sensor(900, 0, 'stale') }), trouble: [silent] });
      expect(fleet.device('gw-4')?.trouble).toEqual([silent]);
      // A late status (older clock) changes nothing; a newer one with none clears it.
      fleet.applyHealth({ ...health('gw-4', T0 - 1000, 59, {}), trouble: [] });
      expect(fleet.device('gw-4')?.trouble).toEqual([silent]);
      fleet.applyHealth({ ...health('gw-4', T0 + 30_000, 90, { co: sensor(950, 0) }), trouble: [] });
      expect(fleet.device('gw-4')?.trouble).toEqual([]);
      fleet.applyHealth(health('gw-5', T0, 60, {}));
      expect(fleet.device('gw-5')?.trouble).toEqual([]);
    });

    it('builds a device from health, link, telemetry and anomaly messages', () => {
      const fleet = open({ zones: { kitchen: ['gw-1', 'gw-2'] } });
      fleet.applyLink(link('gw-1', 'online', T0 - 1000), T0);
      fleet.applyHealth(health('gw-1', T0, 60, { pms: sensor(1000, 0), co: sensor(500, 0, 'stale') }));
      fleet.applyTelemetry(
        telemetry('gw-1', [
          [T0 + 1000, 3],
          [T0 + 6000, 4],
        ]),
      );
      fleet.applyAnomaly(anomaly('gw-1', T0 + 7000, 'medium', 'iVBOR'));
      fleet.applyRisk('gw-1', 'high');
      expect(fleet.device('gw-1')).toEqual({
        deviceId: 'gw-1',
        zone: 'kitchen',
        online: true,
        lastSeen: T0,
        level: 'medium',
        probability: 0.7,
        model: 'gbdt-7',
        modelStatus: 'active',
        outboxMessages: 12,
        outboxOldestAgeS: 4,
        sensors: { pms: 'open', co: 'stale' },
        decodeErrorRate: 0,
        levels: { co: 4, pm25: null },
        thermalPngBase64: 'iVBOR',
        risk: 'high',
        trouble: [],
      } satisfies DeviceState);
      expect(fleet.history('gw-1').map((p) => p.levels['co'])).toEqual([3, 4]);
      expect(fleet.history('gw-1', T0 + 1000)).toHaveLength(2);
      expect(fleet.history('gw-1', T0 + 1001)).toHaveLength(1);
      expect(fleet.zoneOf('gw-9')).toBe('gw-9');
      fleet.applyHealth(health('gw-2', T0, 5, {}));
      expect(fleet.zoneMates('gw-1').map((d) => d.deviceId)).toEqual(['gw-2']);
      expect(fleet.deviceIds()).toEqual(['gw-1', 'gw-2']);
    });

    it('finds zone mates among the known devices of the zone only, a device outside every zone alone', () => {
      const fleet = open({ zones: { hall: ['gw-1', 'gw-2', 'gw-3'], 'gw-9': ['gw-4'] } });
      for (const id of ['gw-1', 'gw-2', 'gw-4', 'gw-5', 'gw-9']) fleet.applyHealth(health(id, T0, 0, {}));
      const mates = (id: string): string[] => fleet.zoneMates(id).map((d) => d.deviceId);
      expect(mates('gw-1')).toEqual(['gw-2']);
      expect(mates('gw-5')).toEqual([]);
      // A zone named like a device outside every zone: that device is in it too.
      expect(mates('gw-4')).toEqual(['gw-9']);
      expect(mates('gw-9')).toEqual(['gw-4']);
    });

    it('lets no late message overwrite a newer level', () => {
      const fleet = open();
      fleet.applyAnomaly(anomaly('gw-1', T0 + 5000, 'high'));
      fleet.applyAnomaly(anomaly('gw-1', T0, 'low'));
      fleet.applyHealth(health('gw-1', T0 + 1000, 5, {}));
      expect(fleet.device('gw-1')?.level).toBe('high');
    });

    it('computes the decode error rate per status interval, starting over when the agent restarts', () => {
      const fleet = open();
      fleet.applyHealth(health('gw-1', T0, 30, { pms: sensor(1000, 0) }));
      expect(fleet.device('gw-1')?.decodeErrorRate).toBe(0);
      fleet.applyHealth(health('gw-1', T0 + 30_000, 60, { pms: sensor(1980, 20) }));
      expect(fleet.device('gw-1')?.decodeErrorRate).toBe(20);
      fleet.applyHealth(health('gw-1', T0 + 60_000, 5, { pms: sensor(95, 5) }));
      expect(fleet.device('gw-1')?.decodeErrorRate).toBe(50);
    });

    it('counts a device offline after its last will, or once silent too long, and tells listeners once', () => {
      const fleet = open({ offlineAfterS: 60 });
      const seen: DeviceState[] = [];
      fleet.on('device', (d) => seen.push(d));
      fleet.applyHealth(health('gw-1', T0, 30, {}));
      expect(fleet.device('gw-1')?.online).toBe(true);
      clock += 61_000;
      expect(fleet.device('gw-1')?.online).toBe(false);
      expect(fleet.refreshOnline().map((d) => [d.deviceId, d.online])).toEqual([['gw-1', false]]);
      expect(fleet.refreshOnline()).toEqual([]);
      fleet.applyHealth(health('gw-1', T0 + 61_000, 91, {}));
      expect(fleet.device('gw-1')?.online).toBe(true);
      fleet.applyLink(link('someone-else', 'offline'), clock, 'gw-1');
      expect(fleet.device('gw-1')?.online).toBe(false);
      expect(fleet.device('someone-else')).toBeUndefined();
      expect(seen.map((d) => d.online)).toEqual([true, false, true, false]);
    });

    it('does not take a retained birth replayed on subscribe as a sign of life', () => {
      const fleet = open({ offlineAfterS: 60 });
      fleet.applyLink(link('gw-1', 'online', T0 - 3_600_000), T0);
      expect(fleet.device('gw-1')).toMatchObject({ lastSeen: T0 - 3_600_000, online: false });
    });

    it('remembers devices across a restart, but not their history', () => {
      const first = open();
      first.applyHealth(health('gw-1', T0, 30, { pms: sensor(1000, 0) }));
      first.applyTelemetry(telemetry('gw-1', [[T0, 1]]));
      first.applyRisk('gw-1', 'medium');
      const before = first.device('gw-1');
      first.stop();
      const second = open();
      expect(second.device('gw-1')).toEqual(before);
      expect(second.history('gw-1')).toEqual([]);
      // The counters survive too: the next interval is differenced against them.
      second.applyHealth(health('gw-1', T0 + 30_000, 60, { pms: sensor(1990, 10) }));
      expect(second.device('gw-1')?.decodeErrorRate).toBe(10);
    });

    it('keeps at most historyPoints per device', () => {
      const fleet = open({ historyPoints: 3 });
      fleet.applyTelemetry(
        telemetry(
          'gw-1',
          [1, 2, 3, 4, 5].map((i) => [T0 + i * 1000, i]),
        ),
      );
      expect(fleet.history('gw-1').map((p) => p.levels['co'])).toEqual([3, 4, 5]);
    });

    it('refuses to work before start', () => {
      const fleet = new FleetState({ ...backend.where });
      expect(() => fleet.devices()).toThrow(/not started/);
    });

    it('keeps the devices every fleet sharing the store wrote, each once, for the next start', () => {
      const [a, b] = [open(), open()];
      a.applyHealth(health('gw-a', T0, 30, { pms: sensor(1000, 0) }));
      b.applyHealth(health('gw-b', T0, 30, { pms: sensor(1000, 0) }));
      clock = T0 + 1_000;
      b.applyAnomaly(anomaly('gw-a', T0 + 500, 'high'));
      a.stop();
      b.stop();
      const next = open();
      expect(next.deviceIds().sort()).toEqual(['gw-a', 'gw-b']);
      // The later write of gw-a (b's, at stop) is the one kept.
      expect(next.device('gw-a')?.level).toBe('high');
    });
  });
}
