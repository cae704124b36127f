import { chromium, type Browser, type Page } from 'playwright-core';

export interface DashboardPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught errors of the page's scripts, in order. */
  readonly pageErrors: string[];
}

/** Opens the dashboard at `url` in the system's headless Chromium and waits until its live stream is up. */
export async function openDashboard(url: string): Promise<DashboardPage> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.locator('body[data-loaded="true"]').waitFor();
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
  return { browser, page, pageErrors };
}
