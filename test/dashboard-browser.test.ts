import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAccess, TEST_PASSWORD, type TestAccess } from '../cloud/api/access.test-helper.js';
import { CloudApi } from '../cloud/api/cloud-api.js';
import { device, incident, MemoryPorts } from '../cloud/api/memory-ports.test-helper.js';
import { waitFor } from './helpers/wait.js';
import { openDashboard, signInOnPage } from './helpers/dashboard-page.js';

/** A 1×1 PNG, as a device's thermal snapshot would arrive (base64). */
const PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('dashboard in a browser', () => {
  const ports = new MemoryPorts();
  let auth: TestAccess;
  let api: CloudApi;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let failedRequests: string[] = [];

  beforeAll(async () => {
    auth = await startTestAccess();
    await auth.admin.createUser({ username: 'dana', role: 'admin', password: TEST_PASSWORD }, 'test');
    api = new CloudApi({ ports, access: auth.access, csrfKey: auth.csrfKey });
    // As the composition root does: audit entries reach the page as live events.
    auth.control.on('audit', (entry) => ports.publish({ type: 'audit', entry }));
    // A cloud whose default canary share is not the page's old hard-wired 10 %.
    ports.defaultCanaryShare = 0.25;
    ports.deviceMap.set(
      'gw-1',
      device('gw-1', {
        thermalPngBase64: PIXEL_PNG,
        model: 'gbdt-7',
        modelStatus: 'model gbdt-7, previous gbdt-6',
      }),
    );
    ports.deviceMap.set(
      'gw-2',
      device('gw-2', {
        zone: 'hall',
        online: false,
        sensors: { ze07: 'stale' },
        trouble: [
          {
            kind: 'sensor-silent',
            source: 'ze07',
            since: 1_700_000_000_000,
            detail: 'ze07 has sent <i>nothing</i>',
          },
        ],
      }),
    );
    ports.historyMap.set('gw-1', [
      { ts: 1_700_000_000_000, probability: 0.1, levels: { temp: 21, pm25: 1 } },
      { ts: 1_700_000_001_000, probability: 0.2, levels: { temp: 22, pm25: 1.1 } },
    ]);
    ports.incidentMap.set('inc-old', incident('inc-old', { deviceId: 'gw-2', level: 'low' }));
    ports.modelList.push({
      version: 'gbdt-7',
      status: 'approved',
      createdAt: '2025-01-01T00:00:00.000Z',
      family: 'gbdt',
      sha256: '0'.repeat(64),
      metrics: { detectionRate: 0.95, medianTimeToAlarmS: 40, falseAlarmsPerHour: 0.01 },
    });
    ports.decisionList.push({
      id: 'd-1',
      ts: 1_700_000_000_000,
      incidentId: 'inc-old',
      outcome: 'false-alarm',
      action: 'adjust-rules',
      explanation: 'Steam <b>not</b> smoke: raise the humidity guard.',
      details: {},
    });
    ports.alertList.push({
      id: 'al-1',
      rule: 'device-offline',
      subject: 'gw-2',
      ts: 1_700_000_000_000,
      message: 'no message for 5 minutes',
      active: true,
    });
    ports.modelList.push({
      version: 'gbdt-8',
      status: 'candidate',
      createdAt: '2025-02-01T00:00:00.000Z',
      family: 'gbdt',
      sha256: '1'.repeat(64),
      metrics: { detectionRate: 0.96, medianTimeToAlarmS: 38, falseAlarmsPerHour: 0.01 },
    });
    await api.start();
    ({ browser, page, pageErrors, failedRequests } = await openDashboard(api.url, {
      username: 'dana',
      password: TEST_PASSWORD,
    }));
  }, 30_000);

  afterAll(async () => {
    await browser.close();
    await api.stop();
    await auth.dispose();
  });

  it('renders the fleet, models, decisions and alerts, with server text shown as text', async () => {
    await expect(page.getByTestId('device-gw-1').textContent()).resolves.toContain('kitchen');
    await expect(page.getByTestId('device-online-gw-2').textContent()).resolves.toBe('offline');
    await expect(page.getByTestId('device-risk-gw-1').textContent()).resolves.toBe('none');
    // Trouble is shown apart from the risk, as a panel's trouble signal, and only where there is some.
    await expect(page.getByTestId('device-trouble-gw-2').textContent()).resolves.toMatch(
      /^Trouble \(1\)sensor silent: ze07, since /,
    );
    expect(await page.getByTestId('device-trouble-gw-1').count()).toBe(0);
    expect(await page.getByTestId('device-trouble-gw-2').locator('i').count()).toBe(0);
    await expect(page.getByTestId('model-gbdt-7').textContent()).resolves.toContain('95 %');
    const decision = page.getByTestId('decision-d-1');
    await expect(decision.textContent()).resolves.toContain('Steam <b>not</b> smoke');
    expect(await decision.locator('b').count()).toBe(0);
    await expect(page.getByTestId('alert-al-1').textContent()).resolves.toContain('device-offline');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Emberwatch');
    expect(pageErrors).toEqual([]);
    // Nothing fails but the signed-out probe before the sign-in.
    expect(failedRequests.filter((r) => r !== `401 ${api.url}/v1/session`)).toEqual([]);
    // A browser asks for /favicon.ico (a 404 in its console) unless the page names an icon it already has.
    await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toMatch(/^data:/);
  });

  it('shows each card its thermal image without a click, and its model once', async () => {
    const thumb = page.getByTestId('device-thumb-gw-1');
    await expect(thumb.isVisible()).resolves.toBe(true);
    expect(await thumb.getAttribute('src')).toBe(`data:image/png;base64,${PIXEL_PNG}`);
    expect(await page.getByTestId('device-thumb-gw-2').count()).toBe(0);
    await expect(page.getByTestId('device-model-gw-1').textContent()).resolves.toBe(
      'gbdt-7 (previous gbdt-6)',
    );
    await expect(page.getByTestId('device-model-gw-2').textContent()).resolves.toBe('rules (active)');
    // The canary box shows the share a rollout gets by default: the cloud's own setting.
    await expect(page.getByTestId('canary-share').inputValue()).resolves.toBe('25');
  });

  it('shows the thermal image and charts of a selected device', async () => {
    await page.getByTestId('select-gw-1').click();
    const img = page.getByTestId('device-thermal');
    await img.waitFor({ state: 'visible' });
    expect(await img.getAttribute('src')).toBe(`data:image/png;base64,${PIXEL_PNG}`);
    await page.locator('[data-testid="chart-probability"][data-points="2"]').waitFor();
    expect(await page.locator('[data-testid="chart-probability"] canvas').count()).toBe(1);
  });

  it('shows a device update and a new high incident as they happen, without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    ports.publish({
      type: 'device',
      device: device('gw-1', { level: 'high', risk: 'high', probability: 0.97, lastSeen: 1_700_000_002_000 }),
    });
    ports.publish({
      type: 'incident',
      incident: incident('inc-new', {
        deviceId: 'gw-1',
        level: 'high',
        openedAt: 1_700_000_005_000,
        reasons: ['probability 0.97 from model rules'],
      }),
    });
    await page.locator('[data-testid="device-risk-gw-1"]', { hasText: 'high' }).waitFor();
    await expect(page.getByTestId('device-probability-gw-1').textContent()).resolves.toBe('97 %');
    const item = page.getByTestId('incident-inc-new');
    await item.waitFor();
    await expect(page.getByTestId('incident-level-inc-new').textContent()).resolves.toBe('high');
    await expect(page.getByTestId('incident-state-inc-new').textContent()).resolves.toBe('open');
    // Open incidents come first, the new one (newest) at the top.
    await expect(
      page.getByTestId('incidents').locator('> li').first().getAttribute('data-testid'),
    ).resolves.toBe('incident-inc-new');
    await page.locator('[data-testid="chart-probability"][data-points="3"]').waitFor();
    expect(navigations).toEqual([]);
  });

  it('acknowledges an incident through the API as the signed-in person and shows it acknowledged', async () => {
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe('dana (admin)');
    await page.getByRole('button', { name: 'Acknowledge incident inc-new on gw-1' }).click();
    await waitFor('the acknowledge call', () => ports.calls.some((c) => c.kind === 'acknowledge'));
    expect(ports.calls).toContainEqual({ kind: 'acknowledge', id: 'inc-new', by: 'dana' });
    await page
      .locator('[data-testid="incident-state-inc-new"]', { hasText: 'acknowledged by dana' })
      .waitFor();
    expect(await page.getByTestId('ack-inc-new').count()).toBe(0);
    await page.locator('[data-testid="incident-inc-new"] summary', { hasText: 'Actions (1)' }).waitFor();
    // The audit log on the page follows as it is written.
    await page.locator('[data-testid="audit"] li', { hasText: 'dana acknowledged inc-new' }).waitFor();
  });

  it('resolves with the chosen outcome and starts a rollout from the models table', async () => {
    await page.getByTestId('outcome-inc-new').selectOption('test');
    await page.getByTestId('resolve-inc-new').click();
    await waitFor('the resolve call', () => ports.calls.some((c) => c.kind === 'resolve'));
    expect(ports.calls).toContainEqual({ kind: 'resolve', id: 'inc-new', outcome: 'test', by: 'dana' });
    await page.getByTestId('incident-inc-new').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Roll out model gbdt-7' }).click();
    await page.locator('[data-testid="rollouts"] li', { hasText: 'gbdt-7' }).waitFor();
    expect(ports.calls).toContainEqual({ kind: 'rollout', version: 'gbdt-7', canaryShare: 0.25 });
    await expect(page.locator('[data-testid="rollouts"]').textContent()).resolves.toContain('canary');
    await page.getByRole('button', { name: 'Roll out model gbdt-7' }).click();
    await page.getByTestId('notice').filter({ hasText: '409' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('approves a candidate model from the models table (admins only)', async () => {
    await page.getByRole('button', { name: 'Approve model gbdt-8' }).click();
    await waitFor('the approval', () => ports.calls.some((c) => c.kind === 'decide'));
    expect(ports.calls).toContainEqual(
      expect.objectContaining({ kind: 'decide', version: 'gbdt-8', by: 'dana' }),
    );
    await page.getByTestId('approve-gbdt-8').waitFor({ state: 'detached' });
    await page.locator('[data-testid="audit"] li', { hasText: 'dana approved gbdt-8' }).waitFor();
  });

  it('shows a viewer everything but no button that changes anything, and signs out', async () => {
    const viewer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await viewer.goto(api.url);
      await viewer.getByTestId('login').waitFor();
      // Before signing in, nothing but the form.
      expect(await viewer.getByRole('heading', { name: 'Incidents' }).isVisible()).toBe(false);
      await viewer.getByTestId('login-user').fill('viewer-1');
      await viewer.getByTestId('login-password').fill('not the password');
      await viewer.getByTestId('login-submit').click();
      await viewer.getByTestId('notice').filter({ hasText: 'wrong user name or password' }).waitFor();
      await signInOnPage(viewer, { username: 'viewer-1', password: TEST_PASSWORD });
      await viewer.getByTestId('incident-inc-old').waitFor();
      await viewer.getByTestId('model-gbdt-7').waitFor();
      expect(
        await viewer.getByRole('button', { name: /^(Acknowledge|Resolve|Roll out|Approve)/ }).count(),
      ).toBe(0);
      expect(await viewer.getByTestId('canary-share').isVisible()).toBe(false);
      await viewer.getByTestId('sign-out').click();
      await viewer.getByTestId('login').waitFor();
      expect(await viewer.locator('main').isVisible()).toBe(false);
      expect(await viewer.getByRole('heading', { name: 'Fleet' }).isVisible()).toBe(false);
    } finally {
      await viewer.close();
    }
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // A string, because the test's TypeScript has no DOM types; it runs in the page.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByTestId('incident-inc-old').isVisible()).resolves.toBe(true);
  });
});
