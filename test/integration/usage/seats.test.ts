import type { Entitlements } from '../../../src/usage/entitlements';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';
import { event, subscribe, uniqueOrg } from './support';

/**
 * Seats: the product reports how many users an organization has as the `users` gauge, and the frontend
 * asks before sending an invitation. The plans' limits are the seed's PRICING_PLANS: free 1, starter 3,
 * professional 10, enterprise unlimited.
 */
describe('seats (the users gauge) as an entitlement', () => {
  let t: TestDb;
  let app: RunningApp;
  beforeAll(async () => {
    t = await createTestDb();
    app = await startTestApp(buildTestAppDeps({ db: t.db }));
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  const post = async (path: string, body: unknown, token = TEST_SERVICE_TOKEN) => {
    const res = await fetch(`${app.url}/api/v1/billing${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const seatsReading = (org: string, users: number, msAgo: number) =>
    post('/usage/events', { events: [event(org, 'users', users, new Date(Date.now() - msAgo).toISOString())] });
  /** What the frontend asks before inviting `quantity` more people, with the inviting user's own token. */
  const mayInvite = async (org: string, quantity = 1) =>
    (await post('/entitlements/check', { metric: 'users', quantity }, await userToken({ org, role: 'admin' }))).body;
  const period = {
    start: new Date(Date.now() - 86_400_000).toISOString(),
    end: new Date(Date.now() + 29 * 86_400_000).toISOString(),
  };

  test('a starter organization with 3 of 3 seats cannot invite a fourth; after someone leaves it can invite one again', async () => {
    const org = uniqueOrg();
    await subscribe(t.db, org, 'starter', period);
    expect((await seatsReading(org, 3, 5_000)).body).toMatchObject({ accepted: 1 });

    expect(await mayInvite(org)).toMatchObject({ allowed: false, plan: 'starter', limit: 3, used: 3, remaining: 0 });
    expect((await mayInvite(org)).overage).toBeUndefined();

    // A gauge: the latest reading wins, it is not added to the previous one.
    await seatsReading(org, 2, 1_000);
    expect(await mayInvite(org)).toMatchObject({ allowed: true, limit: 3, used: 2, remaining: 1 });
    expect(await mayInvite(org, 2)).toMatchObject({ allowed: false });

    const res = await fetch(`${app.url}/api/v1/billing/entitlements`, {
      headers: { authorization: `Bearer ${await userToken({ org, role: 'member' })}` },
    });
    const seats = ((await res.json()) as Entitlements).metrics.find((m) => m.metric === 'users');
    expect(seats).toEqual({ metric: 'users', kind: 'gauge', limit: 3, used: 2, remaining: 1, overage: null });
  });

  test('free allows one seat, professional ten, enterprise any number', async () => {
    const free = uniqueOrg();
    await seatsReading(free, 1, 1_000);
    expect(await mayInvite(free)).toMatchObject({ allowed: false, plan: 'free', limit: 1 });

    const professional = uniqueOrg();
    await subscribe(t.db, professional, 'professional', period);
    await seatsReading(professional, 9, 1_000);
    expect(await mayInvite(professional)).toMatchObject({ allowed: true, limit: 10, remaining: 1 });
    expect(await mayInvite(professional, 2)).toMatchObject({ allowed: false });

    const enterprise = uniqueOrg();
    await subscribe(t.db, enterprise, 'enterprise', period);
    await seatsReading(enterprise, 500, 1_000);
    expect(await mayInvite(enterprise, 100)).toMatchObject({ allowed: true, limit: null, remaining: null });
  });

  test('seats are reported as readings, never consumed like counters, and a reading of zero is valid', async () => {
    const org = uniqueOrg();
    expect((await seatsReading(org, 0, 1_000)).body).toMatchObject({ accepted: 1 });
    const consume = await post('/entitlements/check', {
      organizationId: org,
      metric: 'users',
      quantity: 1,
      consume: { eventId: 'invite-1' },
    });
    expect(consume.status).toBe(422);
    expect(await mayInvite(org)).toMatchObject({ allowed: true, used: 0, limit: 1 });
  });

  test('purchased seats, add-on packs and a yearly term raise the limits at once', async () => {
    const org = uniqueOrg();
    await subscribe(t.db, org, 'starter', period, 'active', {
      interval: 'year',
      seats: 2,
      addOns: { agents_5: 1, storage_10gb: 2 },
    });
    await seatsReading(org, 4, 1_000);
    expect(await mayInvite(org)).toMatchObject({ allowed: true, limit: 3 + 2, used: 4, remaining: 1 });
    expect(await mayInvite(org, 2)).toMatchObject({ allowed: false, limit: 5 });
    const res = await fetch(`${app.url}/api/v1/billing/entitlements`, {
      headers: { authorization: `Bearer ${await userToken({ org, role: 'member' })}` },
    });
    const limits = Object.fromEntries(((await res.json()) as Entitlements).metrics.map((m) => [m.metric, m.limit]));
    expect(limits).toEqual({
      users: 5,
      agents: 5 + 5,
      storage: 1_000 + 20_000,
      messages: 120_000,
      api_calls: 1_200_000,
    });
  });

  test('a pause with access keeps the plan’s limits; a pause without access falls back to free at once', async () => {
    const withAccess = uniqueOrg();
    await subscribe(t.db, withAccess, 'professional', period, 'paused', undefined, {
      behavior: 'keep_access',
      resumesAt: null,
    });
    await seatsReading(withAccess, 5, 1_000);
    expect(await mayInvite(withAccess)).toMatchObject({ allowed: true, plan: 'professional', limit: 10 });

    const withoutAccess = uniqueOrg();
    await subscribe(t.db, withoutAccess, 'professional', period, 'paused', undefined, {
      behavior: 'no_access',
      resumesAt: Date.now() + 30 * 86_400_000,
    });
    await seatsReading(withoutAccess, 5, 1_000);
    expect(await mayInvite(withoutAccess)).toMatchObject({ allowed: false, plan: 'free', limit: 1, used: 5 });
  });

  test('an enterprise contract’s own limits apply at once: a seat cap of 50, unlimited where it says -1 or says nothing', async () => {
    const org = uniqueOrg();
    await t.db
      .insertInto('subscriptions')
      .values({
        organization_id: org,
        workflow_id: `subscription:${org}`,
        plan: 'enterprise',
        status: 'active',
        current_period_start: period.start,
        current_period_end: period.end,
        contract: JSON.stringify({
          amount: 500_000,
          currency: 'usd',
          interval: 'month',
          limits: { users: 50, messages: -1 },
          collection: { method: 'send_invoice', daysUntilDue: 30 },
        }),
      })
      .execute();
    await seatsReading(org, 50, 1_000);
    expect(await mayInvite(org)).toMatchObject({ allowed: false, plan: 'enterprise', limit: 50, used: 50 });
    const res = await fetch(`${app.url}/api/v1/billing/entitlements`, {
      headers: { authorization: `Bearer ${await userToken({ org, role: 'member' })}` },
    });
    const limits = Object.fromEntries(((await res.json()) as Entitlements).metrics.map((m) => [m.metric, m.limit]));
    expect(limits).toMatchObject({ users: 50, messages: null, agents: null, storage: null });
  });
});
