import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { issueDevSignIn } from '../../src/billing-page/dev-sign-in';
import { syncCatalog } from '../../src/stripe/catalog-sync';
import { createBillingClient } from '../../src/client';
import { eventually, startStack, type Stack } from '../helpers/stack';
import { TEST_SERVICE_TOKEN } from '../helpers/tokens';
import { launchChromium, shot } from './support';

/**
 * A customer's whole journey on the billing page in headless Chromium, against the whole stack (simulator,
 * workflow, webhooks, read models, mail): every step through the page, the usage posted as a backend would.
 */
describe('the billing page in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const org = `web-${randomUUID().slice(0, 8)}`;
  const email = `billing@${org}.example`;
  const step = (name: string) => shot(page, 'billing-journey', name);
  const notice = () => page.getByTestId('notice');
  const go = (view: string) => page.getByRole('navigation').getByRole('link', { name: view }).click();

  beforeAll(async () => {
    stack = await startStack();
    await syncCatalog(stack.stripe);
    browser = await launchChromium();
    // Phone width: the page must work there.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 60_000);

  test('sign in with the dev link', async () => {
    const { link } = await issueDevSignIn(stack.config, { organizationId: org, role: 'owner', email, hours: 1 });
    await page.goto(link);
    await page.getByText('No subscription yet').waitFor();
    expect(new URL(page.url()).hash).toBe('');
    await step('01-signed-in');
  }, 30_000);

  test('add a test card through a SetupIntent', async () => {
    await go('Payment methods');
    await page.getByRole('button', { name: 'Add a card' }).click();
    await page.getByLabel('Test card').selectOption('pm_card_visa');
    await page.getByRole('button', { name: 'Save card' }).click();
    await notice().filter({ hasText: 'Card saved' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('cards').getByText('4242').waitFor();
    await step('02-card-saved');
  }, 40_000);

  test('subscribe to starter with it', async () => {
    await go('Overview');
    await page.getByLabel(/Starter/).check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await notice().filter({ hasText: 'Subscribed' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('plan').innerText()).toBe('starter');
    expect(await page.getByTestId('status').innerText()).toBe('trialing');
    await step('03-subscribed');
  }, 40_000);

  test('usage bars show the 80 % and 100 % states', async () => {
    const service = createBillingClient({ baseUrl: stack.api.url, token: () => TEST_SERVICE_TOKEN });
    const at = new Date().toISOString();
    const { response } = await service.POST('/api/v1/billing/usage/events', {
      body: {
        events: [
          { id: `${org}-m1`, organizationId: org, metric: 'messages', quantity: 8_500, timestamp: at },
          { id: `${org}-a1`, organizationId: org, metric: 'agents', quantity: 5, timestamp: at },
        ],
      },
    });
    expect(response.status).toBe(200);
    await go('Usage');
    const messages = page.locator('li[data-metric=messages]');
    await messages.waitFor();
    expect(await messages.getAttribute('data-state')).toBe('near');
    expect(await page.locator('li[data-metric=agents]').getAttribute('data-state')).toBe('reached');
    expect(await messages.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('8500');
    await step('04-usage-bars');
  }, 30_000);

  test('preview an upgrade, then confirm it', async () => {
    await go('Overview');
    await page.getByLabel(/Professional/).check();
    await page.getByRole('button', { name: 'Preview change' }).click();
    const preview = page.getByTestId('preview');
    await preview.waitFor({ timeout: 20_000 });
    await step('05-upgrade-preview');
    await preview.getByRole('button', { name: /Confirm/ }).click();
    await notice().filter({ hasText: 'Plan changed' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('plan').innerText()).toBe('professional');
    await step('06-upgraded');
  }, 60_000);

  test('add a card that needs 3-D Secure and pass the challenge', async () => {
    await go('Payment methods');
    await page.getByRole('button', { name: 'Add a card' }).click();
    await page.getByLabel('Test card').selectOption('pm_card_threeDSecure2Required');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.getByRole('button', { name: 'Complete authentication' }).waitFor({ timeout: 20_000 });
    expect(page.url()).toContain('/_sim/authenticate/seti_');
    await step('07-3ds-challenge');
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await notice().filter({ hasText: 'Card saved' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/billing/payment-method');
    expect(new URL(page.url()).search).toBe('');
    await eventually('two cards listed', async () =>
      (await page.getByTestId('cards').locator('li').count()) === 2 ? true : undefined,
    );
    await step('08-3ds-card-saved');
  }, 60_000);

  test('cancel at period end, then resume', async () => {
    await go('Overview');
    await page.getByRole('button', { name: 'Cancel subscription…' }).click();
    await page.getByRole('button', { name: 'Cancel at period end' }).click();
    await notice().filter({ hasText: 'Cancellation scheduled' }).waitFor({ timeout: 30_000 });
    await page.getByText('Your subscription ends on').waitFor();
    await step('09-canceling');
    await page.getByRole('button', { name: 'Resume subscription' }).click();
    await notice().filter({ hasText: 'Subscription resumed' }).waitFor({ timeout: 30_000 });
    expect(await page.getByText('Your subscription ends on').count()).toBe(0);
    await step('10-resumed');
  }, 60_000);

  test('redeem a promotion code, then take the discount off', async () => {
    await stack.stripe.coupons.create({ id: 'WEB20', name: '20 % forever', percent_off: 20, duration: 'forever' });
    await stack.stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: 'WEB20' }, code: 'WEB20' });
    await go('Overview');
    await page.getByLabel('Promotion code').fill('NOSUCH99');
    await page.getByRole('button', { name: 'Apply' }).click();
    await notice().filter({ hasText: 'There is no such promotion code' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('discount').count()).toBe(0);
    // Another code after a refusal is a new request (its own idempotency key), not a replay of the refusal.
    await page.getByLabel('Promotion code').fill('web20');
    await page.getByRole('button', { name: 'Apply' }).click();
    await notice().filter({ hasText: 'Promotion code applied' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('discount').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('discount').innerText()).toBe('20 % off, forever (WEB20)');
    await step('10b-discount');
    await page.getByRole('button', { name: 'Remove discount' }).click();
    await notice().filter({ hasText: 'Discount removed' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Promotion code').waitFor();
    expect(await page.getByTestId('discount').count()).toBe(0);
  }, 60_000);

  test("follow an email's link from the mail sink's inbox to the right page", async () => {
    // The usage alert (80 % of messages) went to the billing email (the one subscribing named, though the card
    // set up first had created the customer); a person opens it in the sink's HTML inbox.
    await eventually('the usage alert in the mail sink', async () =>
      stack.mail.messages({ to: email }).some((m) => /80% of your messages limit/.test(m.subject)) ? true : undefined,
    );
    await page.goto(`${stack.mail.httpUrl}/inbox?to=${encodeURIComponent(email)}`);
    await page.getByRole('link', { name: /80% of your messages limit/ }).click();
    await step('11-email');
    await page
      .locator('ul.links')
      .getByRole('link', { name: /\/billing\/usage/ })
      .first()
      .click();
    await page.locator('li[data-metric=messages]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/billing/usage');
    await step('12-from-email');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
