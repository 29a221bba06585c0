import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import { backfillCommand } from '../../../src/cli/commands/backfill';
import { loadConfig } from '../../../src/config';
import { POLICY_PROFILES } from '../../../src/domain/policy-profiles';
import { createReconciliationActivities } from '../../../src/reconciliation/activities';
import { backfillSubscriptions } from '../../../src/reconciliation/backfill';
import type { ReconciliationDeps } from '../../../src/reconciliation/deps';
import { reconcileNow } from '../../../src/reconciliation/run-now';
import { ensureReconciliationSchedule, runReconciliation } from '../../../src/reconciliation/schedule';
import { createSubscriptionClient } from '../../../src/subscriptions/client';
import { subscriptionWorkflowId } from '../../../src/workflows/messages';
import { createStripeSimulator, type StripeSimulator } from '../../../tools/stripe-sim';
import { createTestDb, type TestDb } from '../../helpers/db';
import { connectDevServer } from '../../helpers/temporal';
import { uid } from '../../fixtures/stripe-events';
import { quietLogger, receivedBy, startStandInWorker } from './harness';

jest.setTimeout(60_000);

let t: TestDb;
let env: TestWorkflowEnvironment;
let simulator: StripeSimulator;
let stripe: Stripe;
let worker: Awaited<ReturnType<typeof startStandInWorker>>;
let deps: ReconciliationDeps;
let price: string;
let simulatorUrl: string;
const organizations: string[] = [];

beforeAll(async () => {
  [t, env] = await Promise.all([createTestDb(), connectDevServer()]);
  simulator = createStripeSimulator({ tickMs: 60_000 });
  const { port, url } = await simulator.listen(0);
  simulatorUrl = url;
  stripe = new Stripe('sk_test_simulator', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  const target = { taskQueue: '' };
  const lazyDeps = {
    get db() {
      return t.db;
    },
    stripe,
    get subscriptions() {
      return createSubscriptionClient(env.client, { taskQueue: target.taskQueue, policyProfile: 'standard' });
    },
    logger: quietLogger,
  };
  worker = await startStandInWorker(env, createReconciliationActivities(lazyDeps));
  target.taskQueue = worker.taskQueue;
  deps = lazyDeps;
  const product = await stripe.products.create({ name: 'Starter' });
  price = (
    await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2_900,
      recurring: { interval: 'month' },
    })
  ).id;
});
afterAll(async () => {
  await Promise.allSettled(
    organizations.map((org) => env.client.workflow.getHandle(subscriptionWorkflowId(org)).signal('finish')),
  );
  await worker.stop();
  await env.teardown();
  await simulator.close();
  await t.destroy();
});

/** A paying Stripe customer with a live subscription, made directly in Stripe (outside the API). */
async function stripeSubscription(opts: {
  org: string;
  recordCustomer: boolean;
  metadataOnCustomer?: boolean;
}): Promise<{ customer: string; sub: Stripe.Subscription }> {
  organizations.push(opts.org);
  const customer = await stripe.customers.create({
    email: `${opts.org}@example.com`,
    ...(opts.metadataOnCustomer ? { metadata: { organization_id: opts.org } } : {}),
  });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  if (opts.recordCustomer) {
    await t.db
      .insertInto('billing_customers')
      .values({ organization_id: opts.org, stripe_customer_id: customer.id, stripe_test_clock_id: null, email: null })
      .execute();
  }
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price }] });
  return { customer: customer.id, sub };
}

test('reconciliation adopts untracked subscriptions, signals drifted workflows and repairs the invoice mirror', async () => {
  const untracked = await stripeSubscription({ org: uid('org'), recordCustomer: true });
  const driftedOrg = uid('org');
  const drifted = await stripeSubscription({ org: driftedOrg, recordCustomer: true });
  await env.client.workflow.start('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(driftedOrg),
    taskQueue: worker.taskQueue,
    args: [{ organizationId: driftedOrg }],
  });
  await t.db
    .insertInto('subscriptions')
    .values({
      organization_id: driftedOrg,
      workflow_id: subscriptionWorkflowId(driftedOrg),
      stripe_customer_id: drifted.customer,
      stripe_subscription_id: drifted.sub.id,
      plan: 'starter',
      status: 'trialing',
    })
    .execute();

  const { summary } = await runReconciliation(env.client, worker.taskQueue);

  expect(summary.repaired).toEqual(
    expect.arrayContaining([
      { objectId: untracked.sub.id, organizationId: organizations[0], action: 'adopted', fields: ['untracked'] },
      expect.objectContaining({
        objectId: drifted.sub.id,
        action: 'signalled',
        fields: expect.arrayContaining(['status trialing ≠ active']),
      }),
    ]),
  );
  const adopted = await receivedBy(env.client, organizations[0] ?? '');
  expect(adopted?.input).toEqual({
    organizationId: organizations[0],
    adopt: { stripeSubscriptionId: untracked.sub.id },
  });
  const invoiceId =
    typeof untracked.sub.latest_invoice === 'string'
      ? untracked.sub.latest_invoice
      : (untracked.sub.latest_invoice?.id ?? '');
  // Adopted first (subscriptions are compared before invoices), then told about the invoice the mirror lacked.
  expect(adopted?.signals).toEqual([
    expect.objectContaining({
      type: 'customer.subscription.created',
      objectId: untracked.sub.id,
      eventId: expect.stringMatching(/^reconcile:/),
    }),
    expect.objectContaining({
      type: 'invoice.paid',
      objectId: invoiceId,
      eventId: expect.stringMatching(/^reconcile:/),
    }),
  ]);
  const signalled = await receivedBy(env.client, driftedOrg);
  expect(signalled?.signals.map((s) => s.type)).toContain('customer.subscription.updated');

  const mirrored = () =>
    t.db.selectFrom('invoices').selectAll().where('stripe_invoice_id', '=', invoiceId).executeTakeFirstOrThrow();
  expect(await mirrored()).toMatchObject({
    organization_id: organizations[0],
    status: 'paid',
    amount_paid: 2_900,
    stripe_subscription_id: untracked.sub.id,
  });

  // A webhook was lost: the mirror still says open. The next run repairs it.
  await t.db
    .updateTable('invoices')
    .set({ status: 'open', amount_paid: 0, paid_at: null })
    .where('stripe_invoice_id', '=', invoiceId)
    .execute();
  const again = await reconcileNow(deps, 'second-run');
  expect(again.repaired).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        objectId: invoiceId,
        fields: expect.arrayContaining(['status', 'amount_paid', 'paid_at']),
      }),
    ]),
  );
  expect(await mirrored()).toMatchObject({ status: 'paid', amount_paid: 2_900 });
});

test('backfill starts a workflow for each live Stripe subscription with an organization, once however often it runs', async () => {
  const org = uid('org');
  const known = await stripeSubscription({ org, recordCustomer: false, metadataOnCustomer: true });
  const orphan = await stripeSubscription({ org: uid('org'), recordCustomer: false });

  const dryRun = await backfillSubscriptions(deps, { dryRun: true });
  expect(dryRun).toEqual(
    expect.arrayContaining([{ subscription: known.sub.id, organizationId: org, action: 'would adopt' }]),
  );
  expect(await receivedBy(env.client, org)).toBeNull();

  const first = await backfillSubscriptions(deps, { dryRun: false });
  await backfillSubscriptions(deps, { dryRun: false });

  expect(first).toEqual(
    expect.arrayContaining([
      { subscription: known.sub.id, organizationId: org, action: 'adopted' },
      { subscription: orphan.sub.id, organizationId: null, action: 'skipped: no organization' },
    ]),
  );
  const got = await receivedBy(env.client, org);
  expect(got?.input).toEqual({ organizationId: org, adopt: { stripeSubscriptionId: known.sub.id } });
  expect(got?.effective).toEqual([`backfill:${known.sub.id}`]);
  expect(
    await t.db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', org)
      .executeTakeFirst(),
  ).toEqual({ stripe_customer_id: known.customer });
  // Its invoice emails have somewhere to go: the email Stripe holds came across.
  expect(
    await t.db.selectFrom('billing_customers').select('email').where('organization_id', '=', org).executeTakeFirst(),
  ).toEqual({ email: `${org}@example.com` });
});

test('reconciliation fills in the billing email, name and address Stripe has for a customer recorded without them, never over a profile written through the API', async () => {
  const bare = uid('org');
  const written = uid('org');
  const customer = await stripe.customers.create({
    email: 'ap@bare.example',
    name: 'Bare Ltd',
    address: { line1: '1 High St', city: 'London', postal_code: 'EC1A 1BB', country: 'GB' },
  });
  const other = await stripe.customers.create({ email: 'stripe@written.example' });
  await t.db
    .insertInto('billing_customers')
    .values([
      { organization_id: bare, stripe_customer_id: customer.id, stripe_test_clock_id: null, email: null },
      {
        organization_id: written,
        stripe_customer_id: other.id,
        stripe_test_clock_id: null,
        email: null,
        profile_updated_at: new Date(),
      },
    ])
    .execute();
  const run = await reconcileNow(deps, uid('profile-run'));
  expect(run.repaired).toEqual(
    expect.arrayContaining([
      {
        objectId: customer.id,
        organizationId: bare,
        action: 'billing email filled',
        fields: ['email', 'name', 'address'],
      },
    ]),
  );
  expect(run.repaired.filter((r) => r.organizationId === written)).toEqual([]);
  const rows = await t.db
    .selectFrom('billing_customers')
    .select(['organization_id', 'email', 'legal_name', 'address'])
    .where('organization_id', 'in', [bare, written])
    .orderBy('organization_id')
    .execute();
  expect(rows.find((r) => r.organization_id === bare)).toEqual({
    organization_id: bare,
    email: 'ap@bare.example',
    legal_name: 'Bare Ltd',
    address: { line1: '1 High St', line2: null, city: 'London', postalCode: 'EC1A 1BB', state: null, country: 'GB' },
  });
  expect(rows.find((r) => r.organization_id === written)?.email).toBeNull();
});

test('the reconciliation schedule is created daily and re-applying it updates rather than fails', async () => {
  const scheduleId = uid('reconciliation-test');
  await ensureReconciliationSchedule(env.client, { taskQueue: worker.taskQueue, scheduleId });
  await ensureReconciliationSchedule(env.client, { taskQueue: worker.taskQueue, scheduleId, cron: '5 4 * * *' });
  const handle = env.client.schedule.getHandle(scheduleId);
  try {
    const description = await handle.describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'reconciliationWorkflow',
      taskQueue: worker.taskQueue,
    });
    expect(description.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 4, end: 4, step: 1 }],
      minute: [{ start: 5, end: 5, step: 1 }],
    });
  } finally {
    await handle.delete();
  }
});

test('a run the backfill command adopts gets the BILLING_POLICY_PROFILE policy, as a run started by subscribe does', async () => {
  const org = uid('org');
  const live = await stripeSubscription({ org, recordCustomer: false, metadataOnCustomer: true });
  const config = loadConfig({
    NODE_ENV: 'test',
    STRIPE_API_URL: simulatorUrl,
    TEMPORAL_TASK_QUEUE: worker.taskQueue,
    BILLING_POLICY_PROFILE: 'demo',
  });

  const out: string[] = [];
  const progress: string[] = [];
  await backfillCommand.run(['--json'], {
    config,
    db: t.db,
    temporal: env.client,
    out: (line) => out.push(line),
    progress: (line) => progress.push(line),
  });
  // --json: one document a script can parse on stdout; the progress (one line per subscription) went to stderr.
  const report = JSON.parse(out.join('\n')) as { dryRun: boolean; lines: { subscription: string; action: string }[] };
  expect(report.dryRun).toBe(false);
  expect(report.lines).toContainEqual(expect.objectContaining({ subscription: live.sub.id, action: 'adopted' }));
  expect(progress.some((l) => l.includes(`${live.sub.id} adopted`))).toBe(true);

  const got = await receivedBy(env.client, org);
  expect(got?.input).toEqual({
    organizationId: org,
    policy: POLICY_PROFILES.demo,
    adopt: { stripeSubscriptionId: live.sub.id },
  });
});
