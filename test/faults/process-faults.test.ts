import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import {
  advanceDays,
  advanceDaysInStripe,
  expectInvariants,
  faultsConsumed,
  newOrg,
  persistently,
  sendUsage,
  subscribe,
  upgrade,
} from './support';

jest.setTimeout(240_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
}, 180_000);
afterAll(async () => {
  // The children's output, for the post-mortem of a failed scenario.
  if (stack) writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-process-faults.log'), stack.logs());
  await stack?.close();
});

test('the worker SIGKILLed while Stripe calls are in flight and restarted: one subscription, one proration charge', async () => {
  const upgrading = newOrg('kill_upgrade');
  expect((await subscribe(stack, upgrading)).status).toBe(201);
  await advanceDays(stack, upgrading, 15); // past the trial: the first invoice is charged

  // Stripe executes both writes at once but answers after 4 s; the worker dies before it hears back.
  const subscribing = newOrg('kill_subscribe');
  await stack.apiFault({ kind: 'delay', hangMs: 4_000, method: 'POST', path: '^/v1/subscriptions$' });
  await stack.apiFault({ kind: 'delay', hangMs: 4_000, method: 'POST', path: '^/v1/subscriptions/sub_' });
  const replies = Promise.all([subscribe(stack, subscribing), upgrade(stack, upgrading)]);
  await faultsConsumed(stack);
  await stack.killWorker();
  await stack.startWorker();

  const [subscribed, upgraded] = await replies;
  expect(subscribed.status).toBe(201);
  expect(upgraded.status).toBe(200);
  expect(upgraded.body).toMatchObject({ change: 'upgraded', subscription: { plan: 'professional' } });
  await expectInvariants(stack, [{ organizationId: subscribing }, { organizationId: upgrading, upgrades: 1 }]);
});

test('the Temporal server stopped and restarted (state in its database file) while webhooks and an update are in flight', async () => {
  const renewing = newOrg('temporal_renew');
  const upgrading = newOrg('temporal_upgrade');
  expect((await subscribe(stack, renewing)).status).toBe(201);
  expect((await subscribe(stack, upgrading)).status).toBe(201);
  await advanceDays(stack, upgrading, 15);

  await stack.apiFault({ kind: 'delay', hangMs: 3_000, method: 'POST', path: '^/v1/subscriptions/sub_' });
  const upgraded = upgrade(stack, upgrading);
  await faultsConsumed(stack);
  await stack.temporal.stop();
  // Stripe bills the trial's end while Temporal is down: the webhooks land in the inbox and wait for the relay.
  await advanceDays(stack, renewing, 15);
  await stack.temporal.start();

  const reply = await upgraded;
  // The body too, so a failure says which refusal it was.
  expect({ status: reply.status, error: reply.status === 200 ? undefined : reply.body }).toEqual({ status: 200 });
  expect(stack.running()).toEqual({ worker: true, api: true });
  await expectInvariants(stack, [{ organizationId: renewing }, { organizationId: upgrading, upgrades: 1 }]);
});

test('Postgres restarted while the API and the worker run: the API answers 503 meanwhile, nothing is lost, both recover', async () => {
  const org = newOrg('pg_restart');
  const renewing = newOrg('pg_renew');
  expect((await subscribe(stack, renewing)).status).toBe(201);
  const before = Array.from({ length: 20 }, (_, i) => `${org}-a-${i}`);
  expect(await sendUsage(stack, org, before, 3)).toEqual([200]);

  await stack.pg.stop('immediate');
  const during = Array.from({ length: 20 }, (_, i) => `${org}-b-${i}`);
  const usage = sendUsage(stack, org, [...during, ...before.slice(0, 5)], 3);
  const subscribed = subscribe(stack, org);
  const readiness = await fetch(`${stack.api.url}/readyz`);
  await advanceDaysInStripe(stack, renewing, 15);
  await new Promise((r) => setTimeout(r, 2_000));
  await stack.pg.start();

  expect(stack.running()).toEqual({ worker: true, api: true });
  const seen = await usage;
  expect(seen.at(-1)).toBe(200);
  expect(seen.filter((s) => s >= 500 && s !== 503)).toEqual([]);
  expect(readiness.status).toBe(503);
  expect((await subscribed).status).toBe(201);
  const replayed = await persistently(
    stack,
    org,
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_visa' },
    `subscribe-${org}`,
  );
  expect(replayed.final.status).toBe(201);
  await expectInvariants(
    stack,
    [{ organizationId: org }, { organizationId: renewing }],
    [{ organizationId: org, metric: 'api_calls', events: 40, quantity: 120 }],
  );
});
