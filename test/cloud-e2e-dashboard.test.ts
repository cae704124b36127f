import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../cloud/contracts/cloud-values.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import type { EdgeAgent } from '../edge/agent.js';
import { startPlayback, type RunningPlayback } from '../simulators/playback/start-playback.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { startEdgeBed, type EdgeBed, sensorsOf } from './edge-setup.js';
import { apiToken, cloudConfig, getJson, pollUntil, writeServiceFiles } from './helpers/cloud-bed.js';
import { openDashboard } from './helpers/dashboard-page.js';

/** Emulated seconds per real second, for the emulators and the agent's clock alike (ul217 seed 1: high at 62 s). */
const SPEED = 10;
const DEVICE = 'gw-dash-1';
const PASSWORD = 'dana signs in here';

describe('cloud end to end: the dashboard follows a real gateway through a fire', () => {
  let bed: EdgeBed;
  let cloud: CloudService;
  let browser: Browser;
  let page: Page;
  let playback: RunningPlayback | undefined;
  let agent: EdgeAgent | undefined;
  let pageErrors: string[] = [];
  let token: string;
  let agentStartedAt = 0;
  const navigations: string[] = [];

  beforeAll(async () => {
    bed = await startEdgeBed();
    const files = await writeServiceFiles(bed.broker, bed.dir);
    const dataDir = join(bed.dir, 'cloud');
    await mkdir(dataDir);
    cloud = await CloudService.create({ config: cloudConfig(bed.broker, files, dataDir) });
    await cloud.start();
    await cloud.accessAdmin.createUser({ username: 'dana', role: 'operator', password: PASSWORD }, 'test');
    token = await apiToken(cloud, 'viewer');
    ({ browser, page, pageErrors } = await openDashboard(cloud.url, {
      username: 'dana',
      password: PASSWORD,
    }));
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
  }, 40_000);

  afterAll(async () => {
    await agent?.stop();
    await playback?.stop();
    await browser.close();
    await cloud.stop();
    await bed.close();
  });

  it('shows the gateway online, then its fire as an incident without a reload, and acknowledges it', async () => {
    expect(await page.getByTestId(`device-${DEVICE}`).count()).toBe(0);
    const scenario = drawScenario('ul217-flaming-pu', 1);
    const fire =
      scenario.fire === null ? scenario : { ...scenario, fire: { ...scenario.fire, ignition_s: 20 } };
    playback = await startPlayback(simulateRun(fire, { durationS: 110 }), { speed: SPEED });
    const sensors = sensorsOf(playback.devices);
    agent = await bed.agent(await bed.config(DEVICE, sensors), { timeScale: SPEED });
    agentStartedAt = Date.now();
    await agent.start();

    await page
      .locator(`[data-testid="device-online-${DEVICE}"]`, { hasText: /^online$/ })
      .waitFor({ timeout: 15_000 });
    await expect(page.getByTestId(`device-${DEVICE}`).textContent()).resolves.toContain(DEVICE);

    const level = page.locator('[data-testid^="incident-level-"]', { hasText: 'high' });
    await level.first().waitFor({ timeout: 25_000 });
    const { incidents } = await getJson<{ incidents: Incident[] }>(
      `${cloud.url}/v1/incidents?deviceId=${DEVICE}`,
      token,
    );
    const incident = incidents.find((i) => i.level === 'high');
    if (incident === undefined) throw new Error('the page shows a high incident the API does not');
    expect(await level.first().getAttribute('data-testid')).toBe(`incident-level-${incident.id}`);
    await expect(page.getByTestId(`incident-state-${incident.id}`).textContent()).resolves.toBe('open');
    expect(navigations).toEqual([]);

    await page.getByRole('button', { name: `Acknowledge incident ${incident.id} on ${DEVICE}` }).click();
    await page
      .locator(`[data-testid="incident-state-${incident.id}"]`, { hasText: 'acknowledged by dana' })
      .waitFor();
    const stored = await pollUntil(
      'the acknowledgement stored',
      () => getJson<{ incident: Incident }>(`${cloud.url}/v1/incidents/${incident.id}`, token),
      (d) => d.incident.state === 'acknowledged',
    );
    expect(stored.incident.acknowledgedBy).toBe('dana');
    expect(await page.getByTestId(`ack-${incident.id}`).count()).toBe(0);
    expect(navigations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 50_000);

  it('shows the chart and the card on one clock, the wall clock, though the gateway runs 10× faster', async () => {
    const { incidents } = await getJson<{ incidents: Incident[] }>(
      `${cloud.url}/v1/incidents?deviceId=${DEVICE}`,
      token,
    );
    // The gateway has lived some 10-40 real seconds, i.e. minutes of its scenario: a time stamped on
    // the scenario's clock would lie minutes in the future.
    for (const incident of incidents) {
      expect(incident.openedAt).toBeGreaterThanOrEqual(agentStartedAt - 1000);
      expect(incident.openedAt).toBeLessThanOrEqual(Date.now() + 1000);
    }
    await page.getByTestId(`select-${DEVICE}`).click();
    const chart = page.locator('[data-testid="chart-probability"][data-last-ts]:not([data-last-ts=""])');
    await chart.waitFor({ timeout: 15_000 });
    const newest = Number(await chart.getAttribute('data-last-ts'));
    expect(newest).toBeGreaterThanOrEqual(agentStartedAt - 1000);
    expect(newest).toBeLessThanOrEqual(Date.now() + 1000);
    // The newest point on the chart and the card beside it read the same probability.
    const card = page.getByTestId(`device-probability-${DEVICE}`);
    const latest = page.getByTestId('chart-latest');
    await pollUntil(
      'the chart and the card agree',
      async () => ({ card: await card.textContent(), chart: await latest.textContent() }),
      (seen) => seen.card !== null && seen.card !== '—' && (seen.chart ?? '').includes(`: ${seen.card} at `),
    );
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
