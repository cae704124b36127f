import { chromium, type Browser, type Page } from 'playwright-core';

export interface DashboardPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught errors of the page's scripts, in order. */
  readonly pageErrors: string[];
  /** Requests that failed or were answered 4xx/5xx, as "STATUS URL", in order. */
  readonly failedRequests: string[];
}

/** Who signs in to the dashboard. */
export interface DashboardUser {
  readonly username: string;
  readonly password: string;
}

/** Fills the sign-in form of a page showing it and waits until the dashboard has loaded and its live stream is up. */
export async function signInOnPage(page: Page, user: DashboardUser): Promise<void> {
  await page.getByTestId('login').waitFor();
  await page.getByTestId('login-user').fill(user.username);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.locator('body[data-loaded="true"]').waitFor();
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
}

/** Opens the dashboard at `url` in the system's headless Chromium, signs in as `user` and waits for its live stream. */
export async function openDashboard(url: string, user: DashboardUser): Promise<DashboardPage> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const failedRequests: string[] = [];
  page.on('requestfailed', (request) => failedRequests.push(`failed ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url);
  await signInOnPage(page, user);
  return { browser, page, pageErrors, failedRequests };
}
