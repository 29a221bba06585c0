import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildBillingHealthReport } from '../../src/health-report/billing-health';
import { RECONCILIATION_SCHEDULE_ID } from '../../src/reconciliation/schedule';
import { invoiceObject, signed, stripeEvent } from '../fixtures/stripe-events';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { checkInvariants } from '../helpers/invariants';
import { runEntryPoint } from '../helpers/processes';
import { clockNow, eventually } from '../helpers/stack';
import { advanceDays, expectInvariants, newOrg, sendUsage, subscribe, upgrade } from './support';

jest.setTimeout(180_000);

let stack: FaultStack;
// A poison event is dead-lettered after this many failed relays (about 15 s with the relay's backoff).
const RELAY_MAX_ATTEMPTS = 5;
beforeAll(async () => {
  stack = await startFaultStack({ env: { WEBHOOK_RELAY_MAX_ATTEMPTS: String(RELAY_MAX_ATTEMPTS) } });
}, 180_000);
afterAll(async () => {
  // The children's output, for the post-mortem of a failed scenario.
  if (stack) writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-stripe-faults.log'), stack.logs());
  await stack?.close();
});

const requestsTo = (method: string, path: RegExp) =>
  stack.sim.requests.all().filter((r) => r.method === method && path.test(r.path));

test('Stripe answering bursts of 500 and 429 and timing out: every call is retried with its key, each write takes effect once', async () => {
  const org = newOrg('stripe_errors');
  await stack.apiFault({ kind: '500', count: 2, method: 'POST', path: '^/v1/customers$' });
  await stack.apiFault({
    kind: 'timeout',
    count: 1,
    hangMs: 1_000,
    method: 'POST',
    path: '^/v1/payment_methods/[^/]+/attach$',
  });
  await stack.apiFault({ kind: '429', count: 3, method: 'POST', path: '^/v1/subscriptions$' });
  expect((await subscribe(stack, org)).status).toBe(201);
  expect(requestsTo('POST', /^\/v1\/customers$/).map((r) => r.status)).toEqual([500, 500, 200]);
  expect(requestsTo('POST', /^\/v1\/subscriptions$/).map((r) => r.status)).toEqual([429, 429, 429, 200]);

  // Past the trial: the workflow's re-fetch of the subscription meets 500s first.
  await stack.apiFault({ kind: '500', count: 3, method: 'GET', path: '^/v1/subscriptions/sub_' });
  await advanceDays(stack, org, 15);

  // The upgrade is executed by Stripe (charged) but its answer is lost twice; only the idempotency key stands between the retries and a second charge.
  await stack.apiFault({
    kind: 'timeout',
    count: 2,
    hangMs: 1_000,
    executed: true,
    method: 'POST',
    path: '^/v1/subscriptions/sub_',
  });
  const upgraded = await upgrade(stack, org);
  expect(upgraded.status).toBe(200);
  expect(upgraded.body).toMatchObject({ change: 'upgraded', subscription: { plan: 'professional' } });
  const upgrades = requestsTo('POST', /^\/v1\/subscriptions\/sub_/);
  expect(upgrades.map((r) => r.status)).toEqual([0, 0, 200]);
  expect(new Set(upgrades.map((r) => r.idempotencyKey)).size).toBe(1);

  await expectInvariants(stack, [{ organizationId: org, upgrades: 1 }]);
});

test('webhooks duplicated, reordered and delayed: the inbox keeps each event once and the read models converge', async () => {
  const orgs = [newOrg('webhooks_a'), newOrg('webhooks_b')];
  for (const org of orgs) expect((await subscribe(stack, org)).status).toBe(201);
  const deliveredBefore = stack.sim.dispatcher.deliveries().length;

  // Faults take deliveries in order, so together they must fit in what the two trial ends send: five each
  // (trial_will_end, the subscription's update, the invoice created, finalized and paid), ten in all. A reorder
  // releases what it holds only at its last delivery, so one longer than the deliveries left would hold them for good.
  await stack.webhookFault({ action: 'duplicate', count: 4 });
  await stack.webhookFault({ action: 'reorder', count: 3 });
  await stack.webhookFault({ action: 'delay', count: 2, delayMs: 2_500 });
  for (const org of orgs) await advanceDays(stack, org, 15);

  const perEvent = new Map<string, number>();
  for (const d of stack.sim.dispatcher.deliveries().slice(deliveredBefore))
    perEvent.set(d.eventId, (perEvent.get(d.eventId) ?? 0) + 1);
  expect([...perEvent.values()].filter((n) => n === 2)).toHaveLength(4);
  await expectInvariants(
    stack,
    orgs.map((organizationId) => ({ organizationId })),
  );
});

test('webhooks dropped: the read model is behind Stripe until the scheduled reconciliation re-reads Stripe and repairs it', async () => {
  const org = newOrg('webhooks_dropped');
  expect((await subscribe(stack, org)).status).toBe(201);
  await advanceDays(stack, org, 15);
  await expectInvariants(stack, [{ organizationId: org }]);

  // Every event of the renewal is lost.
  await stack.webhookFault({ action: 'drop', count: 1_000 });
  await advanceDays(stack, org, 31);
  await fetch(`${stack.simUrl}/_sim/faults`, { method: 'DELETE' });
  const behind = await checkInvariants(stack, [{ organizationId: org }], { boundMs: 0 });
  expect(behind.violations.join('\n')).toMatch(new RegExp(`${org}: read model .*≠ Stripe`));
  expect(behind.violations.join('\n')).toMatch(new RegExp(`${org}: invoice mirror`));

  // The daily Schedule, triggered now, as an operator (or 03:17 UTC) would.
  await stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).trigger();
  await expectInvariants(stack, [{ organizationId: org }]);
});

test('a poison event the relay can never process is dead-lettered with its error, and the organization’s later events reach its workflow', async () => {
  const org = newOrg('poison');
  expect((await subscribe(stack, org)).status).toBe(201);
  const { stripe_customer_id: customer } = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  // Correctly signed, stored, and unreadable by the invoice mirror (no currency): every relay of it fails.
  const { currency: _dropped, ...unreadable } = invoiceObject({ customer, status: 'paid' });
  const poison = stripeEvent('invoice.paid', unreadable, { created: Math.floor((await clockNow(stack, org)) / 1000) });
  const delivery = signed(JSON.stringify(poison), stack.webhookSecret);
  stack.injectedEvents.add(poison.id);
  const stored = await fetch(`${stack.api.url}/api/v1/billing/webhooks/stripe`, {
    method: 'POST',
    headers: { 'stripe-signature': delivery.signature },
    body: delivery.body,
  });
  expect(stored.status).toBe(200);

  // The trial ends: the organization's renewal events are created after the poison and queue behind it.
  await advanceDays(stack, org, 15);

  const parked = await eventually(
    'the poison event dead-lettered',
    async () => {
      const row = await stack.t.db
        .selectFrom('stripe_events')
        .select(['relay_status', 'relay_attempts', 'last_error', 'organization_id'])
        .where('id', '=', poison.id)
        .executeTakeFirstOrThrow();
      return row.relay_status === 'dead_lettered' ? row : undefined;
    },
    90_000,
  );
  expect(parked).toEqual({
    relay_status: 'dead_lettered',
    relay_attempts: RELAY_MAX_ATTEMPTS,
    last_error: expect.stringMatching(/currency/),
    organization_id: org,
  });
  await expectInvariants(stack, [{ organizationId: org }], [], { deadLettered: [poison.id] });
  const health = await buildBillingHealthReport(stack.t.db, { from: new Date(0), to: new Date('2100-01-01') });
  expect(health.details.webhookEventsDeadLettered).toBe(1);

  // The operator fixes the cause (here: the stored event made readable, naming the organization's first
  // invoice as Stripe has it now, so relaying it leaves the mirror equal to Stripe) and redrives the dead letters.
  const invoices = (await stack.stripe.invoices.list({ customer, limit: 100 })).data;
  const first = invoices.sort((a, b) => a.created - b.created)[0];
  await stack.t.db
    .updateTable('stripe_events')
    .set({ payload: JSON.stringify({ ...poison, data: { object: first } }) })
    .where('id', '=', poison.id)
    .execute();
  // The operator CLI, as a process with the service's settings.
  const redrive = await runEntryPoint('src/cli/billing.ts', stack.env, [
    'redrive-events',
    '--from',
    new Date((poison.created - 1) * 1000).toISOString(),
    '--to',
    new Date((poison.created + 1) * 1000).toISOString(),
    '--dead-lettered',
  ]);
  expect(redrive).toMatchObject({ code: 0, stdout: expect.stringMatching(/re-queued 1 stored dead-lettered event/) });
  await expectInvariants(stack, [{ organizationId: org }]);
  expect(stack.running()).toEqual({ worker: true, api: true });
});

test('two organizations sending the same usage event ids: each organization counts all of its events', async () => {
  const orgs = [newOrg('usage_a'), newOrg('usage_b')];
  const ids = Array.from({ length: 25 }, (_, i) => `shared-usage-${i}`);
  for (const org of orgs) expect(await sendUsage(stack, org, ids, 2)).toEqual([200]);
  // A retried batch of either still counts once.
  expect(await sendUsage(stack, orgs[1] as string, ids.slice(0, 5), 2)).toEqual([200]);
  await expectInvariants(
    stack,
    [],
    orgs.map((organizationId) => ({ organizationId, metric: 'api_calls', events: 25, quantity: 50 })),
  );
});
