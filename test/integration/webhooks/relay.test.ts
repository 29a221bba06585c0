import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../../src/config';
import { POLICY_PROFILES } from '../../../src/domain/policy-profiles';
import { createApiRuntime } from '../../../src/runtime/api-runtime';
import { RELAYED_EVENT_TYPES } from '../../../src/webhooks/handled-events';
import type { WebhookRelay } from '../../../src/webhooks/relay';
import { subscriptionWorkflowId } from '../../../src/workflows/messages';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { freePort } from '../../../tools/support/processes';
import { connectDevServer } from '../../helpers/temporal';
import {
  invoiceObject,
  paymentMethodObject,
  signed,
  stripeEvent,
  subscriptionObject,
  uid,
  type TestEvent,
} from '../../fixtures/stripe-events';
import { Registry } from 'prom-client';
import { registerReadModelGauges } from '../../../src/api/read-model-gauges';
import { createRelayMetrics } from '../../../src/webhooks/metrics';
import { redriveEvents } from '../../../src/webhooks/store';
import { eventually, quietLogger, receivedBy, relayFor, startStandInWorker, unreachableTemporal } from './harness';

jest.setTimeout(60_000);

const SECRET = 'whsec_relay_suite_0123456789';
let t: TestDb;
let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startStandInWorker>>;
let app: RunningApp;
let relay: WebhookRelay | undefined;
const nudge = { nudge: () => relay?.nudge() };

beforeAll(async () => {
  [t, env] = await Promise.all([createTestDb(), connectDevServer()]);
  worker = await startStandInWorker(env);
  app = await startTestApp(
    buildTestAppDeps({ db: t.db, env: { STRIPE_WEBHOOK_SECRET: SECRET }, overrides: { webhookRelay: nudge } }),
  );
});
const organizations: string[] = [];
afterAll(async () => {
  await relay?.stop();
  await Promise.allSettled(
    organizations.map((org) => env.client.workflow.getHandle(subscriptionWorkflowId(org)).signal('finish')),
  );
  await app.close();
  await worker.stop();
  await env.teardown();
  await t.destroy();
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

async function deliver(event: TestEvent): Promise<void> {
  const { body, signature } = signed(JSON.stringify(event), SECRET);
  const res = await fetch(`${app.url}/api/v1/billing/webhooks/stripe`, {
    method: 'POST',
    headers: { 'stripe-signature': signature },
    body,
  });
  expect(res.status).toBe(200);
}

async function customer(): Promise<{ org: string; cus: string }> {
  const org = uid('org');
  const cus = uid('cus');
  organizations.push(org);
  await t.db
    .insertInto('billing_customers')
    .values({ organization_id: org, stripe_customer_id: cus, stripe_test_clock_id: null, email: null })
    .execute();
  return { org, cus };
}

const startWorkflow = (org: string) =>
  env.client.workflow.start('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(org),
    taskQueue: worker.taskQueue,
    args: [{ organizationId: org }],
  });
const inbox = (id: string) =>
  t.db.selectFrom('stripe_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const settled = async (ids: string[]) => {
  const rows = await t.db.selectFrom('stripe_events').select(['id', 'relay_status']).where('id', 'in', ids).execute();
  return rows.length === ids.length && rows.every((r) => r.relay_status !== 'pending');
};

test('every handled event type reaches its organization’s workflow in a stripeEvents signal', async () => {
  const { org, cus } = await customer();
  await startWorkflow(org);
  const sub = uid('sub');
  const events: TestEvent[] = RELAYED_EVENT_TYPES.filter((type) => type !== 'customer.subscription.created').map(
    (type, i) => {
      const created = Math.floor(Date.now() / 1000) - 100 + i;
      if (type.startsWith('customer.subscription.'))
        return stripeEvent(type, subscriptionObject({ id: sub, customer: cus }), { created });
      if (type.startsWith('invoice.'))
        return stripeEvent(type, invoiceObject({ customer: cus, subscription: sub }), { created });
      return stripeEvent(type, paymentMethodObject({ customer: cus }), { created });
    },
  );
  relay = relayFor(t.db, env.client, worker.taskQueue);
  relay.start();

  for (const e of events) await deliver(e);

  const got = await eventually(
    () => receivedBy(env.client, org),
    (r) => (r?.signals.length ?? 0) >= events.length,
  );
  expect(got?.signals).toEqual(
    events.map((e) => ({
      eventId: e.id,
      type: e.type,
      objectId: (e.data.object as { id: string }).id,
      created: e.created,
    })),
  );
  await eventually(() => settled(events.map((e) => e.id)), Boolean);
  for (const e of events)
    expect(await inbox(e.id)).toMatchObject({ relay_status: 'relayed', organization_id: org, last_error: null });
});

test('a subscription created outside the API starts a workflow that adopts it', async () => {
  const { org, cus } = await customer();
  const created = stripeEvent('customer.subscription.created', subscriptionObject({ customer: cus }));
  relay = relayFor(t.db, env.client, worker.taskQueue);
  relay.start();

  await deliver(created);

  const got = await eventually(
    () => receivedBy(env.client, org),
    (r) => (r?.signals.length ?? 0) > 0,
  );
  expect(got?.input).toEqual({
    organizationId: org,
    adopt: { stripeSubscriptionId: (created.data.object as { id: string }).id },
  });
  expect(got?.effective).toEqual([created.id]);
});

test('a run the relay adopts gets the BILLING_POLICY_PROFILE policy, as a run started by subscribe does', async () => {
  const { org, cus } = await customer();
  // The API as src/server.ts composes it with the relay placed there; a secret key so it registers nothing with a simulator.
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    STRIPE_SECRET_KEY: 'sk_test_relay_policy',
    STRIPE_WEBHOOK_SECRET: SECRET,
    TEMPORAL_TASK_QUEUE: worker.taskQueue,
    BILLING_POLICY_PROFILE: 'demo',
    WEBHOOK_RELAY: 'api',
    WEBHOOK_RELAY_POLL_MS: '100',
  });
  const api = createApiRuntime(config, { db: t.db, temporal: env.client, logger: quietLogger });
  await api.start();
  try {
    const created = stripeEvent('customer.subscription.created', subscriptionObject({ customer: cus }));
    const { body, signature } = signed(JSON.stringify(created), SECRET);
    expect(
      (
        await fetch(`${api.url()}/api/v1/billing/webhooks/stripe`, {
          method: 'POST',
          headers: { 'stripe-signature': signature },
          body,
        })
      ).status,
    ).toBe(200);

    const got = await eventually(
      () => receivedBy(env.client, org),
      (r) => (r?.signals.length ?? 0) > 0,
    );
    expect(got?.input).toEqual({
      organizationId: org,
      policy: POLICY_PROFILES.demo,
      adopt: { stripeSubscriptionId: (created.data.object as { id: string }).id },
    });
  } finally {
    await api.stop();
  }
});

test('events reach a workflow in Stripe’s created order even when delivered in reverse', async () => {
  const { org, cus } = await customer();
  await startWorkflow(org);
  const base = Math.floor(Date.now() / 1000) - 50;
  const events = [0, 1, 2, 3].map((i) =>
    stripeEvent('customer.subscription.updated', subscriptionObject({ customer: cus }), { created: base + i }),
  );
  for (const e of [...events].reverse()) await deliver(e);

  relay = relayFor(t.db, env.client, worker.taskQueue);
  relay.start();

  const got = await eventually(
    () => receivedBy(env.client, org),
    (r) => (r?.signals.length ?? 0) >= 4,
  );
  expect(got?.signals.map((s) => s.eventId)).toEqual(events.map((e) => e.id));
  // Stored before the relay looked: the organization's run went out as one stripeEvents signal.
  expect(got?.batches).toEqual([4]);
});

test('with a settle time a burst still arriving waits and goes out whole, as one signal', async () => {
  const { org, cus } = await customer();
  await startWorkflow(org);
  const base = Math.floor(Date.now() / 1000) - 50;
  const events = [0, 1, 2].map((i) =>
    stripeEvent('customer.subscription.updated', subscriptionObject({ customer: cus }), { created: base + i }),
  );
  relay = relayFor(t.db, env.client, worker.taskQueue, { settleMs: 1_500 });
  relay.start();
  // The first event is stored; the relay, polling every 100 ms, must leave it while it is younger than 1.5 s.
  await deliver(events[0]!);
  const storedAt = Date.now();
  await new Promise((r) => setTimeout(r, 700));
  expect((await inbox(events[0]!.id)).relay_status).toBe('pending');
  for (const e of events.slice(1)) await deliver(e);

  const got = await eventually(
    () => receivedBy(env.client, org),
    (r) => (r?.signals.length ?? 0) >= 3,
  );
  expect(Date.now() - storedAt).toBeGreaterThanOrEqual(1_500);
  expect(got?.signals.map((s) => s.eventId)).toEqual(events.map((e) => e.id));
  expect(got?.batches).toEqual([3]);
});

test('events nobody can take are kept as ignored with the reason', async () => {
  const { org, cus } = await customer();
  const unknownType = stripeEvent('charge.refunded', { id: uid('ch'), object: 'charge', customer: cus });
  const noOrganization = stripeEvent('payment_method.attached', paymentMethodObject({ customer: uid('cus') }));
  const noWorkflow = stripeEvent('invoice.payment_failed', invoiceObject({ customer: cus }));
  for (const e of [unknownType, noOrganization, noWorkflow]) await deliver(e);

  relay = relayFor(t.db, env.client, worker.taskQueue);
  await relay.drain();

  expect(await inbox(unknownType.id)).toMatchObject({
    relay_status: 'ignored',
    organization_id: org,
    last_error: 'ignored: type not consumed by workflows',
  });
  expect(await inbox(noOrganization.id)).toMatchObject({
    relay_status: 'ignored',
    organization_id: null,
    last_error: expect.stringMatching(/no organization/),
  });
  expect(await inbox(noWorkflow.id)).toMatchObject({
    relay_status: 'ignored',
    organization_id: org,
    last_error: expect.stringMatching(/no live workflow/),
  });
  expect(await receivedBy(env.client, org)).toBeNull();
});

test('with Temporal down webhooks are still stored; when it returns each event reaches its workflow exactly once in effect', async () => {
  const orgs = await Promise.all([customer(), customer(), customer()]);
  for (const { org } of orgs) await startWorkflow(org);
  const events = orgs.flatMap(({ cus }) => [
    stripeEvent('invoice.payment_failed', invoiceObject({ customer: cus, subscription: uid('sub') })),
    stripeEvent('payment_method.attached', paymentMethodObject({ customer: cus })),
  ]);
  relay = relayFor(t.db, unreachableTemporal(await freePort()), worker.taskQueue, { deliveryTimeoutMs: 1_000 });
  relay.start();

  for (const e of events) await deliver(e);
  for (const e of events) await deliver(e); // Stripe retries while we look unhealthy

  const failing = await eventually(
    () =>
      t.db
        .selectFrom('stripe_events')
        .select(['relay_status', 'relay_attempts'])
        .where(
          'id',
          'in',
          events.map((e) => e.id),
        )
        .execute(),
    // An organization's first event is retried; after its first failure it goes alone (a run fails as a
    // whole, so its followers are not charged its attempts) and the organization's later event waits.
    (rows) => rows.filter((r) => r.relay_attempts >= 2).length >= orgs.length,
  );
  expect(failing.filter((r) => r.relay_attempts >= 2).length).toBeGreaterThanOrEqual(orgs.length);
  expect(failing.every((r) => r.relay_status === 'pending')).toBe(true);
  await relay.stop();

  relay = relayFor(t.db, env.client, worker.taskQueue);
  relay.start();
  await eventually(() => settled(events.map((e) => e.id)), Boolean);
  for (const e of events) await deliver(e); // late duplicates after recovery
  await relay.drain();

  const mirrored = orgs.map((o) => o.org);
  expect(
    await t.db.selectFrom('invoices').select('id').where('organization_id', 'in', mirrored).execute(),
  ).toHaveLength(3);
  expect(
    await t.db.selectFrom('payment_methods').select('id').where('organization_id', 'in', mirrored).execute(),
  ).toHaveLength(3);
  for (const { org, cus } of orgs) {
    const got = await receivedBy(env.client, org);
    const mine = events.filter((e) => (e.data.object as { customer: string }).customer === cus).map((e) => e.id);
    // Both events of an organization carry the same second; which goes first is not specified.
    expect(got?.signals.map((s) => s.eventId).sort()).toEqual(mine.sort());
    expect(got?.effective.sort()).toEqual(mine);
  }
});

test('an event the relay fails WEBHOOK_RELAY_MAX_ATTEMPTS times is dead-lettered with its error, stops holding back its organization, is counted, and redrive-events relays it again', async () => {
  const { org, cus } = await customer();
  await startWorkflow(org);
  const base = Math.floor(Date.now() / 1000) - 30;
  // The mirror cannot read an invoice without a currency: the run that carries it fails every time.
  const { currency: _dropped, ...unreadable } = invoiceObject({ customer: cus, status: 'paid' });
  const poison = stripeEvent('invoice.paid', unreadable, { created: base });
  const later = [1, 2].map((i) =>
    stripeEvent('customer.subscription.updated', subscriptionObject({ customer: cus }), { created: base + i }),
  );
  for (const e of [poison, ...later]) await deliver(e);
  const registry = new Registry();
  // Counted afresh on every scrape here (the API caches each count for METRICS_CACHE_MS).
  registerReadModelGauges(registry, t.db, { cacheMs: 0 });
  relay = relayFor(t.db, env.client, worker.taskQueue, {
    maxAttempts: 3,
    backoff: { baseMs: 50, maxMs: 100 },
    metrics: createRelayMetrics(registry),
  });
  relay.start();

  const got = await eventually(
    () => receivedBy(env.client, org),
    (r) => (r?.signals.length ?? 0) >= 2,
  );
  expect(got?.signals.map((s) => s.eventId)).toEqual(later.map((e) => e.id));
  expect(await inbox(poison.id)).toMatchObject({
    relay_status: 'dead_lettered',
    relay_attempts: 3,
    dead_lettered_at: expect.any(Date),
    last_error: expect.stringMatching(/currency/),
  });
  for (const e of later) expect(await inbox(e.id)).toMatchObject({ relay_status: 'relayed' });
  const text = await registry.metrics();
  expect(text).toContain('billing_webhook_relay_total{outcome="dead_lettered"} 1');
  expect(text).toContain('billing_webhook_inbox_dead_lettered 1');

  // The operator fixes the cause (here: the stored invoice becomes readable) and redrives the dead letters.
  await t.db
    .updateTable('stripe_events')
    .set({
      payload: JSON.stringify(
        stripeEvent('invoice.paid', invoiceObject({ customer: cus }), { id: poison.id, created: base }),
      ),
    })
    .where('id', '=', poison.id)
    .execute();
  const from = new Date((base - 1) * 1000);
  expect(await redriveEvents(t.db, { from, to: new Date(), deadLetteredOnly: true })).toBe(1);
  await eventually(() => settled([poison.id]), Boolean);
  expect(await inbox(poison.id)).toMatchObject({ relay_status: 'relayed', relay_attempts: 0, dead_lettered_at: null });
  expect((await receivedBy(env.client, org))?.signals.map((s) => s.eventId)).toContain(poison.id);
  expect(await registry.metrics()).toContain('billing_webhook_inbox_dead_lettered 0');
});
