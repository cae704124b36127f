import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeAgent } from '../edge/agent.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { createLogger } from '../shared/logging.js';
import { AnomalyMessage, StatusMessage } from '../shared/schemas/messages.js';
import { parseTopic } from '../shared/topics.js';
import { startKit, type RunningKit } from '../simulators/devices/start-kit.js';
import { sensorsOf, startEdgeBed, type EdgeBed } from './edge-setup.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { waitFor } from './helpers/wait.js';

/**
 * A fire while the disk is full to the last byte and the broker is down:
 * no alarm may be lost, and each must reach the cloud within 5 s of space
 * and the broker coming back. On a real 5 MiB filesystem where the machine
 * lets the test mount one (root, or CAP_SYS_ADMIN); always on a full disk
 * simulated at the storage layer (SQLite's SQLITE_FULL on every commit).
 */

const EAGER: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 2, clearAfter: 100 },
  medium: { threshold: 0, raiseAfter: 4, clearAfter: 100 },
  high: { threshold: 0, raiseAfter: 6, clearAfter: 100 },
  hysteresis: 0,
};

/** Mounts a tmpfs of `sizeMiB` at a new folder, or says why it cannot. */
function mountSmallDisk(sizeMiB: number): { dir: string; unmount(): void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${String(sizeMiB)}m,mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { reason: stderr === undefined || stderr === '' ? String(error) : stderr };
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a file until the filesystem refuses one more byte; returns the bytes written. */
function fillToTheLastByte(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (const size of [1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** What the cloud saw of one device: anomalies, and the trouble of each health status. */
interface Seen {
  readonly anomalies: { message: AnomalyMessage; at: number }[];
  readonly trouble: string[][];
}

async function watchDevice(bed: EdgeBed, deviceId: string): Promise<{ client: MqttClient; seen: Seen }> {
  const client = await bed.broker.service(`svc-${deviceId}-${String(Date.now())}`);
  const seen: Seen = { anomalies: [], trouble: [] };
  client.on('message', (topic, payload) => {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    const kind = parseTopic(topic)?.kind;
    if (kind === 'anomaly')
      seen.anomalies.push({ message: AnomalyMessage.parse(body), at: performance.now() });
    if (kind === 'status' && (body as { kind?: string }).kind === 'health') {
      seen.trouble.push((StatusMessage.parse(body).trouble ?? []).map((t) => `${t.kind}/${t.source}`));
    }
  });
  await client.subscribeAsync([`emberwatch/v1/${deviceId}/anomaly`, `emberwatch/v1/${deviceId}/status`], {
    qos: 1,
  });
  return { client, seen };
}

/** Log lines of the agent, parsed. */
function logLines(): { logger: ReturnType<typeof createLogger>; lines: { msg: string }[] } {
  const lines: { msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'info', pretty: false, destination }), lines };
}

const count = (lines: readonly { msg: string }[], msg: string): number =>
  lines.filter((l) => l.msg === msg).length;
const STORED = 'alarm level changed';
const NOT_STORED =
  'alarm level changed but the outbox could not store it: held in memory and sent as soon as possible';

describe('a fire on a full disk', () => {
  let bed: EdgeBed;
  let proxy: TcpProxy;
  const agents: EdgeAgent[] = [];
  beforeAll(async () => {
    bed = await startEdgeBed();
    proxy = await startTcpProxy(bed.broker.port);
  });
  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await proxy.close();
    await bed.close();
  });

  /** Each test starts with the broker up and reachable, whatever the one before left. */
  async function brokerUp(): Promise<void> {
    await bed.broker.startBroker();
    proxy.refuse(false);
  }

  async function brokerAway(agent: EdgeAgent): Promise<void> {
    proxy.refuse(true);
    await bed.broker.stopBroker();
    await waitFor('the link offline', () => !agent.linkOnline, 10_000);
  }

  /** Starts the broker, has the cloud listening, then lets the device reach it: returns that moment. */
  async function brokerBack(deviceId: string): Promise<{ back: number; seen: Seen; client: MqttClient }> {
    await bed.broker.startBroker();
    const { client, seen } = await watchDevice(bed, deviceId);
    proxy.refuse(false);
    return { back: performance.now(), seen, client };
  }

  /**
   * One emulated particle counter on a pty for the agent to read: a device
   * that reads has its alarms verified by a second reading, and no silent
   * sensor's trouble besides the storage's.
   */
  const kits: RunningKit[] = [];
  async function emulatedCounter(): Promise<RunningKit> {
    const kit = await startKit({ devices: [{ id: 'pm', protocol: 'pms5003' }] }, { speed: 10 });
    kits.push(kit);
    return kit;
  }
  afterAll(async () => {
    await Promise.all(kits.map((kit) => kit.stop()));
  });

  const small = mountSmallDisk(5);
  if ('reason' in small) {
    console.warn(
      `a fire on a full disk: no 5 MiB filesystem could be mounted here (${small.reason}); ` +
        'the full disk simulated at the storage layer carries the assertion',
    );
  }

  it.runIf(!('reason' in small))(
    'on a real 5 MiB filesystem filled to the last byte: alarms go into the reserve, then into memory, and none is lost',
    async () => {
      if ('reason' in small) return;
      try {
        const deviceId = 'gw-full-real';
        const disk = join(small.dir, 'data');
        mkdirSync(disk);
        const base = await bed.config(deviceId, sensorsOf((await emulatedCounter()).devices), {
          outbox: { path: join(disk, 'outbox.db'), reserveBytes: 1024 * 1024 },
          telemetryIntervalS: 1,
        });
        const config = { ...base, broker: { ...base.broker, port: proxy.port } };
        const { logger, lines } = logLines();
        await brokerUp();
        const agent = await bed.agent(config, { timeScale: 10, logger });
        agents.push(agent);
        await agent.start();
        await waitFor('the link online', () => agent.linkOnline, 10_000);
        await brokerAway(agent);

        // Someone's log fills the disk to its last byte; telemetry soon finds no room.
        fillToTheLastByte(join(small.dir, 'filler-1'));
        await waitFor('SQLite out of space', () => agent.pipeline.stats.enqueueFailures > 0, 20_000);
        expect(agent.trouble.has('storage-failing', 'outbox')).toBe(true);

        // A fire: low, medium and high go into the space the reserve kept.
        agent.pipeline.setPolicy(EAGER);
        await waitFor('high', () => agent.pipeline.stats.level === 'high', 10_000);
        await waitFor('three stored', () => count(lines, STORED) === 3, 5000);
        let stats = (await agent.snapshot()).outbox.byPriority;
        expect(stats.alarm.messages + stats.anomaly.messages).toBe(3);
        expect(count(lines, NOT_STORED)).toBe(0);
        expect(existsSync(join(disk, 'outbox.db-reserve'))).toBe(false); // spent on them

        // The disk fills up again, the reserve's space too: what comes next is held in memory.
        fillToTheLastByte(join(small.dir, 'filler-2'));
        // A new policy starts its levels afresh: low, medium and high once more.
        agent.pipeline.setPolicy(EAGER);
        await waitFor('three more', () => count(lines, NOT_STORED) + count(lines, STORED) === 6, 10_000);
        expect(count(lines, NOT_STORED)).toBeGreaterThan(0);

        // Space comes back, then the broker: every alarm within 5 s.
        rmSync(join(small.dir, 'filler-1'));
        rmSync(join(small.dir, 'filler-2'));
        const { back, seen, client } = await brokerBack(deviceId);
        try {
          await waitFor('six anomalies', () => seen.anomalies.length >= 6, 10_000);
          const ids = new Set(seen.anomalies.map((a) => a.message.id));
          expect(ids.size).toBe(6);
          expect(seen.anomalies.map((a) => a.message.level).sort()).toEqual([
            'high',
            'high',
            'low',
            'low',
            'medium',
            'medium',
          ]);
          const last = Math.max(...seen.anomalies.map((a) => a.at)) - back;
          console.log(
            `real 5 MiB disk: 6 of 6 anomalies delivered, the last ${String(Math.round(last))} ms after the broker returned`,
          );
          expect(last).toBeLessThan(5000);
          await waitFor('the trouble cleared', () => !agent.trouble.has('storage-failing', 'outbox'), 10_000);
          await waitFor(
            'a clean status at the cloud',
            () => seen.trouble.some((t) => t.length === 0),
            10_000,
          );
          stats = (await agent.snapshot()).outbox.byPriority;
          expect(stats.alarm.messages + stats.anomaly.messages).toBe(0);
        } finally {
          await client.endAsync();
        }
        await agent.stop();
      } finally {
        small.unmount();
      }
    },
    90_000,
  );

  it('on a disk full at the storage layer (SQLITE_FULL on every commit): held in memory, published directly, trouble reported', async () => {
    const deviceId = 'gw-full-simulated';
    // The accounted quota is small too: telemetry is evicted or refused by it besides the full disk.
    const base = await bed.config(deviceId, sensorsOf((await emulatedCounter()).devices), {
      outbox: { path: join(bed.dir, `${deviceId}.db`), quotaBytes: 64 * 1024, reserveBytes: 256 * 1024 },
      telemetryIntervalS: 1,
    });
    const config = { ...base, broker: { ...base.broker, port: proxy.port } };
    let full = false;
    const { logger, lines } = logLines();
    await brokerUp();
    const agent = await bed.agent(config, { timeScale: 10, logger, outboxFaults: { diskFull: () => full } });
    agents.push(agent);
    await agent.start();
    await waitFor('the link online', () => agent.linkOnline, 10_000);
    await brokerAway(agent);
    full = true;
    agent.pipeline.setPolicy(EAGER);
    await waitFor('high', () => agent.pipeline.stats.level === 'high', 10_000);
    await waitFor('three held', () => count(lines, NOT_STORED) === 3, 5000);
    expect(count(lines, STORED)).toBe(0); // never said stored when it was not
    expect(agent.trouble.list()).toMatchObject([{ kind: 'storage-failing', source: 'outbox' }]);
    const health = await (await fetch(`${agent.statusUrl}/healthz`)).json();
    expect(JSON.stringify(health)).toContain('storage-failing');

    // The broker comes back while the disk is still full: the alarms go out directly.
    const { back, seen, client } = await brokerBack(deviceId);
    try {
      await waitFor('three anomalies', () => seen.anomalies.length >= 3, 10_000);
      expect(seen.anomalies.map((a) => a.message.level).sort()).toEqual(['high', 'low', 'medium']);
      const last = Math.max(...seen.anomalies.map((a) => a.at)) - back;
      console.log(
        `simulated full disk: 3 of 3 anomalies delivered, the last ${String(Math.round(last))} ms after the broker returned`,
      );
      expect(last).toBeLessThan(5000);
      await waitFor(
        'the trouble at the cloud',
        () => seen.trouble.some((t) => t.includes('storage-failing/outbox')),
        5000,
      );

      // Space returns: the trouble clears and the cloud hears it.
      full = false;
      await waitFor('the trouble cleared', () => !agent.trouble.has('storage-failing', 'outbox'), 10_000);
      await waitFor('a clean status at the cloud', () => seen.trouble.at(-1)?.length === 0, 10_000);
      expect(new Set(seen.anomalies.map((a) => a.message.id)).size).toBe(3);
    } finally {
      await client.endAsync();
    }
  }, 60_000);
});
