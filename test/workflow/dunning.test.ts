import {
  stripeEventSignal,
  subscriptionWorkflowId,
  updatePaymentMethodUpdate,
  type SubscriptionView,
} from '../../src/workflows/messages';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { DAY, PERIOD } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('dunning');
});
afterAll(async () => {
  // Whatever happened in this file, no invoice was ever charged twice.
  for (const inv of t?.fake.invoices.values() ?? []) expect(inv.paidCount).toBeLessThanOrEqual(1);
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-dun-${++orgSeq}-${Date.now().toString(36)}`;
const HOUR = 3_600_000;

/** An active subscription whose card declines with `card` at the first renewal; returns once dunning started. */
async function failAtRenewal(
  card: string,
): Promise<{ org: string; start: SubscriptionView; failedAt: number; invoiceId: string }> {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  t.fake.setCardBehaviour(start.stripeSubscriptionId!, card);
  const failedAt = start.currentPeriodEnd!;
  await t.env.sleep(failedAt - (await t.now()) + 3 * HOUR);
  const state = await t.state(org);
  expect(state).toMatchObject({ status: 'past_due', plan: 'starter', dunning: { attempt: 1 } });
  return { org, start, failedAt, invoiceId: state.dunning!.invoiceId };
}

const notices = (org: string, kind?: string) =>
  t.fake.notifications.filter((n) => n.organizationId === org && (kind === undefined || n.kind === kind));
const payTimes = (invoiceId: string) => t.fake.payCalls.filter((c) => c.invoiceId === invoiceId).map((c) => c.at);
/** A timer fires at its absolute deadline plus the workflow task's own few milliseconds. */
function expectAt(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((at, i) => {
    expect(at).toBeGreaterThanOrEqual(expected[i]!);
    expect(at - expected[i]!).toBeLessThan(1_000);
  });
}

test('a soft decline is recovered on the second retry', async () => {
  const { org, failedAt, invoiceId } = await failAtRenewal('pm_insufficient_funds');
  expect(notices(org, 'payment_failed')).toHaveLength(1);
  await t.env.sleep(failedAt + 2 * DAY - (await t.now()));
  expectAt(payTimes(invoiceId), [failedAt + DAY]);
  expect((await t.state(org)).dunning).toMatchObject({ attempt: 2, nextRetryAt: failedAt + 3 * DAY });

  t.fake.setCardBehaviour(t.fake.invoices.get(invoiceId)!.subscriptionId, 'pm_ok');
  await t.env.sleep(2 * DAY);
  expectAt(payTimes(invoiceId), [failedAt + DAY, failedAt + 3 * DAY]);
  expect(await t.state(org)).toMatchObject({ status: 'active', plan: 'starter', dunning: null });
  expect(notices(org, 'payment_failed')).toHaveLength(2);
  expect(notices(org, 'payment_recovered')).toHaveLength(1);
});

test('when every retry fails, grace ends in cancellation and the free plan at the scheduled times', async () => {
  const { org, start, failedAt, invoiceId } = await failAtRenewal('pm_insufficient_funds');
  const final = await t.handle(org).result();
  expectAt(
    payTimes(invoiceId),
    [1, 3, 5, 7].map((d) => failedAt + d * DAY),
  );
  expect(final).toMatchObject({ status: 'canceled', plan: 'free' });
  const cancel = t.fake.calls.find((c) => c.name === 'cancelSubscription' && c.args === start.stripeSubscriptionId);
  expectAt([cancel!.at, final.endedAt!], [failedAt + 10 * DAY, failedAt + 10 * DAY]);
  expect(t.fake.invoices.get(invoiceId)!.status).toBe('uncollectible');
  expect(notices(org).map((n) => n.kind)).toEqual([
    'payment_failed',
    'payment_failed',
    'payment_failed',
    'payment_failed',
    'payment_failed',
    'final_notice',
    'subscription_canceled',
  ]);
  const projected = t.fake.projections.filter((p) => p.organizationId === org);
  expect(projected.filter((p) => p.status === 'past_due').every((p) => p.plan === 'starter')).toBe(true);
  expect(projected.at(-1)).toMatchObject({ status: 'canceled', plan: 'free' });
});

test('a hard decline skips automatic retries and recovers when a new card arrives', async () => {
  const { org, invoiceId } = await failAtRenewal('pm_expired_card');
  expect((await t.state(org)).dunning).toMatchObject({
    severity: 'hard',
    nextRetryAt: null,
    lastDeclineCode: 'expired_card',
  });
  await t.env.sleep(4 * DAY);
  expect(payTimes(invoiceId)).toEqual([]);
  expect((await t.state(org)).status).toBe('past_due');

  const result = await t.handle(org).executeUpdate(updatePaymentMethodUpdate, { args: [{ paymentMethodId: 'pm_ok' }] });
  expect(result).toMatchObject({
    retry: 'paid',
    subscription: { status: 'active', dunning: null, defaultPaymentMethodId: 'pm_ok' },
  });
  expect(payTimes(invoiceId)).toHaveLength(1);
});

test('a card update in the middle of dunning retries at once', async () => {
  const { org, failedAt, invoiceId } = await failAtRenewal('pm_insufficient_funds');
  await t.env.sleep(failedAt + 2 * DAY - (await t.now()));
  const before = await t.now();
  const result = await t.handle(org).executeUpdate(updatePaymentMethodUpdate, { args: [{ paymentMethodId: 'pm_ok' }] });
  expect(result.retry).toBe('paid');
  const times = payTimes(invoiceId);
  expect(times).toHaveLength(2);
  expect(times[1]! - before).toBeLessThan(60_000);
  await t.env.sleep(5 * DAY);
  expect(payTimes(invoiceId)).toHaveLength(2);
});

test('an invoice paid outside the workflow ends dunning at once and is not charged again', async () => {
  const { org, failedAt, invoiceId } = await failAtRenewal('pm_insufficient_funds');
  await t.env.sleep(failedAt + 2 * DAY - (await t.now()));
  t.fake.payOutOfBand(invoiceId);
  await t.handle(org).signal(stripeEventSignal, {
    eventId: `${org}-paid`,
    type: 'invoice.paid',
    objectId: invoiceId,
    created: Math.floor((await t.now()) / 1000),
  });
  await t.env.sleep(HOUR);
  expect(await t.state(org)).toMatchObject({ status: 'active', dunning: null });
  expect(notices(org, 'payment_recovered')).toHaveLength(1);
  await t.env.sleep(10 * DAY);
  expect(payTimes(invoiceId)).toHaveLength(1);
  expect(t.fake.invoices.get(invoiceId)!.paidCount).toBe(1);
});

test('an invoice paid elsewhere whose webhook was lost is recognised at the next retry, never paid twice', async () => {
  const { org, failedAt, invoiceId } = await failAtRenewal('pm_insufficient_funds');
  t.fake.payOutOfBand(invoiceId);
  await t.env.sleep(failedAt + DAY + HOUR - (await t.now()));
  expect(t.fake.payCalls.filter((c) => c.invoiceId === invoiceId).map((c) => c.outcome)).toEqual(['not_open']);
  expect(await t.state(org)).toMatchObject({ status: 'active', dunning: null });
  expect(t.fake.invoices.get(invoiceId)!.paidCount).toBe(1);
  expect((await t.state(org)).currentPeriodEnd).toBe(failedAt + PERIOD);
});

test('the Temporal UI shows the state in words and what the pending timer waits for', async () => {
  const { org, failedAt } = await failAtRenewal('pm_insufficient_funds');
  const handle = t.env.client.workflow.getHandle(subscriptionWorkflowId(org));
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  const retryAt = new Date(failedAt + DAY).toISOString().slice(0, 16).replace('T', ' ');
  expect(metadata.currentDetails).toMatch(
    new RegExp(`^past_due · starter · retry 1 of 4 on ${retryAt}.* UTC · grace ends \\d{4}-\\d{2}-\\d{2}$`),
  );
  const { events } = await handle.fetchHistory();
  const timers = (events ?? []).filter((e) => e.timerStartedEventAttributes);
  const summary = timers.at(-1)?.userMetadata?.summary?.data;
  expect(summary && JSON.parse(Buffer.from(summary).toString('utf8'))).toBe('dunning retry 1 of 4');
});
