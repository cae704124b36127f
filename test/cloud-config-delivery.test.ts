import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceState, Incident } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import type { EdgeAgent } from '../edge/agent.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { DeviceConfigMessage } from '../shared/schemas/messages.js';
import { startEdgeBed, type EdgeBed } from './edge-setup.js';
import { startKit, type RunningKit } from '../simulators/devices/start-kit.js';
import { sensorsOf } from './edge-setup.js';
import {
  apiToken,
  cloudConfig,
  getJson,
  pollUntil,
  postJson,
  writeServiceFiles,
} from './helpers/cloud-bed.js';
import { openDashboard } from './helpers/dashboard-page.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { sleep, waitFor } from './helpers/wait.js';

const DEVICE = 'gw-config-1';
const EAGER: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 2, clearAfter: 100 },
  medium: { threshold: 0, raiseAfter: 4, clearAfter: 100 },
  high: { threshold: 0, raiseAfter: 6, clearAfter: 100 },
  hysteresis: 0,
};

/**
 * An operator calls a device's alarm false while the device is offline: the
 * learning agent raises its thresholds, the dashboard shows them pending,
 * and the device applies them when it reconnects (and keeps them across a
 * restart), after which the dashboard shows them applied.
 */
describe('threshold changes for an offline device', () => {
  let bed: EdgeBed;
  let proxy: TcpProxy;
  let cloud: CloudService;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  const agents: EdgeAgent[] = [];
  let kit: RunningKit;
  let token: string;
  const PASSWORD = 'config-delivery-test-password';

  beforeAll(async () => {
    bed = await startEdgeBed();
    proxy = await startTcpProxy(bed.broker.port);
    const files = await writeServiceFiles(bed.broker, bed.dir);
    const dataDir = join(bed.dir, 'cloud');
    await mkdir(dataDir);
    cloud = await CloudService.create({ config: cloudConfig(bed.broker, files, dataDir) });
    await cloud.start();
    await cloud.accessAdmin.createUser({ username: 'dana', role: 'operator', password: PASSWORD }, 'test');
    token = await apiToken(cloud, 'operator');
    ({ browser, page, pageErrors } = await openDashboard(cloud.url, {
      username: 'dana',
      password: PASSWORD,
    }));
    // One emulated particle counter: the device reads, so its alarms are verified by a second reading.
    kit = await startKit({ devices: [{ id: 'pm', protocol: 'pms5003' }] }, { speed: 10 });
  }, 40_000);

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await kit.stop();
    await browser.close();
    await cloud.stop();
    await proxy.close();
    await bed.close();
  });

  const device = (): Promise<DeviceState> =>
    getJson<{ device: DeviceState }>(`${cloud.url}/v1/devices/${DEVICE}`, token).then((d) => d.device);

  it('are pending on the dashboard while it is away, and apply on its reconnect', async () => {
    const base = await bed.config(DEVICE, sensorsOf(kit.devices));
    const config = { ...base, broker: { ...base.broker, port: proxy.port }, statusIntervalS: 5 };
    const startAgent = async (): Promise<EdgeAgent> => {
      const agent = await bed.agent(config, { timeScale: 10 });
      agents.push(agent);
      await agent.start();
      return agent;
    };
    const agent = await startAgent();
    await waitFor('the link online', () => agent.linkOnline, 10_000);
    agent.pipeline.setPolicy(EAGER);
    const { incidents } = await pollUntil(
      'an incident of the device',
      () => getJson<{ incidents: Incident[] }>(`${cloud.url}/v1/incidents?deviceId=${DEVICE}`, token),
      (list) => list.incidents.length > 0,
    );
    const incident = incidents[0];
    if (incident === undefined) throw new Error('no incident');

    // The device drops off the network; the cloud sees its last will.
    proxy.refuse(true);
    await pollUntil('the device offline', device, (d) => !d.online);
    expect(agent.linkOnline).toBe(false);

    const resolved = await postJson(
      `${cloud.url}/v1/incidents/${incident.id}/resolve`,
      { outcome: 'false-alarm' },
      token,
    );
    expect(resolved.status).toBe(200);
    const pending = await pollUntil('the config pending', device, (d) => d.config !== undefined);
    expect(pending.config).toMatchObject({ revision: 1, state: 'pending', appliedAt: null });
    const shown = page.getByTestId(`device-config-${DEVICE}`);
    await shown.filter({ hasText: /^pending since .* \(revision 1\)$/ }).waitFor({ timeout: 10_000 });
    await sleep(1000);
    expect((await device()).config?.state).toBe('pending');
    expect(await shown.textContent()).toMatch(/^pending/);

    // Back on the network: the retained config arrives, applies, and the next status confirms it.
    proxy.refuse(false);
    await waitFor('the config applied on the device', () => agent.linkOnline, 15_000);
    const applied = await pollUntil('the config applied', device, (d) => d.config?.state === 'applied');
    expect(applied.config?.appliedAt).toBeGreaterThanOrEqual(pending.config?.sentAt ?? Infinity);
    await shown.filter({ hasText: /^applied .* \(revision 1\)$/ }).waitFor({ timeout: 10_000 });
    expect((await agent.snapshot()).configRevision).toBe(1);
    const kept = DeviceConfigMessage.parse(
      JSON.parse(await readFile(`${config.outbox.path}-cloud-config.json`, 'utf8')) as unknown,
    );
    expect(kept.revision).toBe(1);
    // The learning agent's thresholds: each a notch above what the device ran.
    expect(kept.alarm?.high.threshold).toBeGreaterThan(0.5);
    const decisions = await getJson<{ decisions: { action: string }[] }>(`${cloud.url}/v1/decisions`, token);
    expect(decisions.decisions.map((d) => d.action)).toContain('adjust-rules');

    // A restart without the cloud keeps them.
    await agent.stop();
    proxy.refuse(true);
    const again = await startAgent();
    expect((await again.snapshot()).configRevision).toBe(1);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
