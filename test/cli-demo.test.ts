import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceState, Incident } from '../cloud/contracts/cloud-values.js';
import { pollUntil } from './helpers/cloud-bed.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { descendantsNamed, isAlive } from '../bench/process-tree.js';
import { CLI } from './helpers/run-cli.js';
import { waitFor } from './helpers/wait.js';

const DASHBOARD = /^Emberwatch demo: dashboard (http:\/\/127\.0\.0\.1:\d+)$/m;
const LOGIN = /^sign in as (operator) with password (\S+) \(kept in (\S+operator-login\.txt);/m;

/** Signs in as the printed operator and returns the session cookie. */
async function signIn(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in: ${String(response.status)} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .join('; ');
}

async function getWithCookie<T>(url: string, cookie: string): Promise<T> {
  const response = await fetch(url, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`GET ${url}: ${String(response.status)}`);
  return (await response.json()) as T;
}

describe('emberwatch demo as a process', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cli-demo-'));
    assertFreshBuild(['cli', 'cloud', 'factory', 'shared', 'edge', 'simulators']);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs two gateways and the cloud for its duration, shows gw-01 fire as a high incident, then exits 0 leaving no socat behind', async () => {
    const args = ['demo', '--duration', '40', '--port', '0', '--devices', '2', '--speed', '20'];
    const child = spawn(
      process.execPath,
      [CLI, ...args, '--rollout-after', '15', '--data', join(dir, 'demo')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const pid = child.pid ?? 0;
    const socats = new Set<number>();
    const watch = setInterval(() => {
      for (const p of descendantsNamed(pid, 'socat')) socats.add(p);
    }, 200);
    try {
      await waitFor('the sign-in line', () => LOGIN.test(stdout) || child.exitCode !== null, 30_000);
      const url = DASHBOARD.exec(stdout)?.[1];
      if (url === undefined) throw new Error(`the demo did not start:\n${stdout}\n${stderr}`);
      const login = LOGIN.exec(stdout);
      if (login === null) throw new Error(`the demo printed no sign-in:\n${stdout}`);
      expect(login[3]).toBe(join(dir, 'demo', 'operator-login.txt'));
      expect((await fetch(`${url}/v1/devices`)).status).toBe(401);
      const cookie = await signIn(url, login[1] ?? '', login[2] ?? '');

      const { devices } = await pollUntil(
        'both gateways in the fleet',
        () => getWithCookie<{ devices: DeviceState[] }>(`${url}/v1/devices`, cookie),
        (list) => ['gw-01', 'gw-02'].every((id) => list.devices.some((d) => d.deviceId === id)),
        20_000,
      );
      expect(devices.map((d) => d.deviceId).sort()).toEqual(['gw-01', 'gw-02']);
      const { incidents } = await pollUntil(
        'a high incident of gw-01',
        () => getWithCookie<{ incidents: Incident[] }>(`${url}/v1/incidents?deviceId=gw-01`, cookie),
        (list) => list.incidents.some((i) => i.level === 'high'),
        // Any time while the demo runs (40 s): on a loaded machine the fire's simulated minutes come late.
        40_000,
      );
      const high = incidents.find((i) => i.level === 'high');
      expect(high?.deviceId).toBe('gw-01');
      // The API may answer before the demo's console line is out: wait for the line, not a race.
      await waitFor(
        'the incident and pager lines',
        () =>
          stdout.includes(`incident ${high?.id ?? '?'} open: gw-01`) &&
          /pager \[emergency\] incident\.alert: gw-01 at high/.test(stdout),
        10_000,
      ).catch(() => undefined);
      expect(stdout).toContain(`incident ${high?.id ?? '?'} open: gw-01`);
      // The page follows the incident's change by a moment: wait for it rather than race it.
      const EMERGENCY = /pager \[emergency\] incident\.alert: gw-01 at high/;
      await waitFor('the emergency page', () => EMERGENCY.test(stdout) || child.exitCode !== null, 20_000);
      expect(stdout).toMatch(EMERGENCY);

      const end = await exited;
      expect(end).toEqual({ code: 0, signal: null });
      // Warnings may come and go on a busy machine; errors (pino level 50 and up) may not.
      expect(stderr.split('\n').filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
      // The rollout the demo starts after 15 s began with its canary.
      expect(stdout).toMatch(/rollout \S+ canary: \d\/2 installed/);
      expect(stdout.trimEnd().split('\n').slice(-2)).toEqual(['stopping…', 'stopped']);
      // The gateways' serial lines are socat ptys: there were some, and none outlived the demo.
      expect(socats.size).toBeGreaterThan(0);
      expect([...socats].filter(isAlive)).toEqual([]);
      // It said which serial lines it used, and where its socat is.
      expect(stdout).toMatch(/^serial lines: pseudo-terminals made by \/\S*socat, links in \S+$/m);
    } finally {
      clearInterval(watch);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 80_000);

  it('pages the first fire again on a second run of the same data folder, closing what the first run left open', async () => {
    // The first run ended at its --duration with gw-01's incident still open.
    const args = ['demo', '--duration', '25', '--port', '0', '--devices', '1', '--speed', '20'];
    const child = spawn(
      process.execPath,
      [CLI, ...args, '--rollout-after', '0', '--data', join(dir, 'demo')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.resume();
    try {
      await waitFor(
        'the emergency page of gw-01',
        () => /pager \[emergency\] incident\.alert: gw-01 at high/.test(stdout) || child.exitCode !== null,
        30_000,
      );
      expect(stdout).toMatch(/^closed 1 incident\(s\) the last run left open/m);
      const paged = /pager \[emergency\] incident\.alert: gw-01 at high \(incident (\S+)\)/.exec(stdout);
      expect(paged, stdout).not.toBeNull();
      // A new incident, not the first run's.
      expect(stdout).toContain(`incident ${paged?.[1] ?? '?'} open: gw-01`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
    }
  }, 60_000);
});
