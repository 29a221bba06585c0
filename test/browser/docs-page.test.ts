import type { Browser } from 'playwright-core';
import { startTestApp, buildTestAppDeps, type RunningApp } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { launchChromium, shot } from './support';

describe('/docs in a real browser with no network', () => {
  let browser: Browser;
  let app: RunningApp;
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    app = await startTestApp(buildTestAppDeps({ db: t.db }));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.destroy();
  });

  test('renders the operations list from local assets only; every other host is unreachable', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const origin = new URL(app.url).origin;
    const elsewhere: string[] = [];
    // No network: anything not served by the API itself is refused (as on an air-gapped machine).
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === origin) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    await page.goto(`${app.url}/docs`);
    await page.locator('.opblock-summary-path').first().waitFor({ state: 'visible', timeout: 20_000 });
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/api/v1/billing/subscription', '/api/v1/billing/plans', '/api/v1/billing/usage/events']),
    );
    expect(await page.getByText('Billing API', { exact: false }).first().isVisible()).toBe(true);
    await shot(page, 'docs', 'operations-list');
    expect(elsewhere).toEqual([]);
    await context.close();
  }, 60_000);
});
