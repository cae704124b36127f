import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { AnomalyMessage, StatusMessage } from '../shared/schemas/messages.js';
import { startPlayback, type RunningPlayback } from '../simulators/playback/start-playback.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { startEdgeBed, type EdgeBed, sensorsOf } from './edge-setup.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { waitFor } from './helpers/wait.js';

/**
 * A whole edge agent (the built code, as a child process) reads an emulated
 * kit playing a flaming fire while the broker is down, and is killed with
 * SIGKILL at random moments, then restarted on the same outbox. The alarm
 * policy below raises low, medium and high within a second of every start,
 * so every life stores anomalies for the kill to land among. Afterwards, with
 * the broker back, every anomaly ever stored must reach the cloud exactly
 * once after dedupe by message id, and the database must be intact.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = join(root, 'test', 'fixtures', 'edge-kill-child.js');
const SPEED = 10;
const KILLS = 6;

const EAGER: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 2, clearAfter: 100 },
  medium: { threshold: 0, raiseAfter: 4, clearAfter: 100 },
  high: { threshold: 0, raiseAfter: 6, clearAfter: 100 },
  hysteresis: 0,
};
/** For the last life, which also reads no sensor: nothing new, so what arrives is what the killed lives stored. */
const QUIET: AlarmPolicy = {
  low: { threshold: 1, raiseAfter: 1_000_000, clearAfter: 1 },
  medium: { threshold: 1, raiseAfter: 1_000_000, clearAfter: 1 },
  high: { threshold: 1, raiseAfter: 1_000_000, clearAfter: 1 },
  hysteresis: 0,
};

function spawnAgent(configPath: string): {
  proc: ChildProcess;
  ready: Promise<void>;
  closed: Promise<string | null>;
} {
  const proc = spawn(process.execPath, [child, configPath, String(SPEED)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.on('close', (code) =>
      reject(new Error(`agent exited before ready (code ${String(code)}): ${stderr}`)),
    );
  });
  // 'close', not 'exit': the pipes are drained and the process is gone.
  const closed = new Promise<string | null>((resolve) =>
    proc.on('close', (_code, signal) => resolve(signal)),
  );
  return { proc, ready, closed };
}

/** Starts the agent, SIGKILLs it `runMs` after it is ready, resolves once it is gone. */
async function runAndKill(configPath: string, runMs: number): Promise<void> {
  const { proc, ready, closed } = spawnAgent(configPath);
  await ready;
  await new Promise((resolve) => setTimeout(resolve, runMs));
  proc.kill('SIGKILL');
  expect(await closed).toBe('SIGKILL');
}

interface Stored {
  readonly anomalies: Set<string>;
  readonly statuses: StatusMessage[];
  readonly integrity: unknown;
}

/** What the outbox holds on disk: anomaly message ids (from the payloads) and health statuses. */
function readOutbox(path: string): Stored {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT topic, payload FROM outbox_message').all() as {
      topic: string;
      payload: Buffer;
    }[];
    const anomalies = new Set<string>();
    const statuses: StatusMessage[] = [];
    for (const row of rows) {
      const body: unknown = JSON.parse(row.payload.toString('utf8'));
      if (row.topic.endsWith('/anomaly')) anomalies.add(AnomalyMessage.parse(body).id);
      if (row.topic.endsWith('/status')) statuses.push(StatusMessage.parse(body));
    }
    return { anomalies, statuses, integrity: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
}

describe('edge agent under kill -9 during a fire and an outage', () => {
  let bed: EdgeBed;
  let playback: RunningPlayback | undefined;
  beforeAll(async () => {
    assertFreshBuild(['edge', 'shared']);
    bed = await startEdgeBed();
  });
  afterAll(async () => {
    await playback?.stop();
    await bed.close();
  });

  it('delivers every stored anomaly once after dedupe, from an intact outbox', async () => {
    const deviceId = 'gw-kill-1';
    const received: string[] = [];
    const service = await bed.broker.service('svc-kill', { reconnectPeriod: 100 });
    service.on('message', (_topic, payload) => {
      received.push(AnomalyMessage.parse(JSON.parse(payload.toString('utf8'))).id);
    });
    await service.subscribeAsync(`emberwatch/v1/${deviceId}/anomaly`, { qos: 1 });

    const scenario = drawScenario('ul217-flaming-pu', 1);
    const fire =
      scenario.fire === null ? scenario : { ...scenario, fire: { ...scenario.fire, ignition_s: 10 } };
    playback = await startPlayback(simulateRun(fire, { durationS: 600 }), { speed: SPEED });
    const sensors = sensorsOf(playback.devices);
    const base = await bed.config(deviceId, sensors, { statusIntervalS: 5, telemetryIntervalS: 1 });
    const eagerPath = join(bed.dir, 'eager.json');
    const quietPath = join(bed.dir, 'quiet.json');
    writeFileSync(eagerPath, JSON.stringify({ ...base, alarm: EAGER }));
    writeFileSync(quietPath, JSON.stringify({ ...base, alarm: QUIET }));
    const outboxPath = base.outbox.path;

    await bed.broker.stopBroker();
    const stored = new Set<string>();
    const lifeSizes: number[] = [];
    const seenStatuses = new Set<string>();
    let laterLifeReadKit = false;
    for (let kill = 0; kill < KILLS; kill++) {
      await runAndKill(eagerPath, 300 + Math.floor(Math.random() * 2200));
      const now = readOutbox(outboxPath);
      expect(now.integrity).toBe('ok');
      // Nothing the earlier lives stored went missing in this one's death.
      expect([...stored].filter((id) => !now.anomalies.has(id))).toEqual([]);
      lifeSizes.push(now.anomalies.size - stored.size);
      for (const id of now.anomalies) stored.add(id);
      const fresh = now.statuses.filter((s) => !seenStatuses.has(s.id));
      for (const s of fresh) seenStatuses.add(s.id);
      const readAll = fresh.some((s) => Object.values(s.sensors).every((x) => x.frames > 0));
      if (kill > 0 && readAll) laterLifeReadKit = true;
    }
    // Most lives lived long enough to store anomalies; restarted lives read the kit again.
    expect(lifeSizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(laterLifeReadKit).toBe(true);

    // The last life only drains. The floors (a heat detector's logic) raise levels whatever the
    // policy, so the fire must be over for it: with the kit gone it reads nothing, and an agent
    // without readings never alarms. What arrives is then exactly what the killed lives stored.
    await playback.stop();
    playback = undefined;
    await bed.broker.startBroker();
    await waitFor('the service back online', () => service.connected, 10_000);
    const last = spawnAgent(quietPath);
    try {
      await last.ready;
      await waitFor(
        'every stored anomaly delivered',
        () => [...stored].every((id) => received.includes(id)),
        20_000,
      );
      await waitFor(
        'the outbox free of anomalies',
        () => readOutbox(outboxPath).anomalies.size === 0,
        10_000,
      );
    } finally {
      last.proc.kill('SIGKILL');
      await last.closed;
    }
    const after = readOutbox(outboxPath);
    expect(after.integrity).toBe('ok');
    expect(new Set(received)).toEqual(stored);
  }, 90_000);
});
