import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { RECONCILIATION_SCHEDULE_ID } from '../../src/reconciliation/schedule';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { checkInvariants } from '../helpers/invariants';
import { advanceDays, expectInvariants, newOrg, subscribe, upgrade } from './support';

jest.setTimeout(180_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
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

  await stack.webhookFault({ action: 'duplicate', count: 6 });
  await stack.webhookFault({ action: 'reorder', count: 5 });
  await stack.webhookFault({ action: 'delay', count: 4, delayMs: 2_500 });
  // Trial end for both: each emits a handful of events (subscription, invoice, payment).
  for (const org of orgs) await advanceDays(stack, org, 15);

  const perEvent = new Map<string, number>();
  for (const d of stack.sim.dispatcher.deliveries().slice(deliveredBefore))
    perEvent.set(d.eventId, (perEvent.get(d.eventId) ?? 0) + 1);
  expect([...perEvent.values()].filter((n) => n === 2)).toHaveLength(6);
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
