import { randomUUID } from 'node:crypto';
import type { ConsumeResult } from '../../../src/usage/consume';
import type { Entitlements } from '../../../src/usage/entitlements';
import type { IngestResult } from '../../../src/usage/ingest';
import type { UsagePoint } from '../../../src/usage/store';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';
import { event, recordingNotifier, subscribe, uniqueOrg } from './support';

describe('usage and entitlement routes over real HTTP', () => {
  let t: TestDb;
  let app: RunningApp;
  const notifier = recordingNotifier();
  beforeAll(async () => {
    t = await createTestDb();
    app = await startTestApp(buildTestAppDeps({ db: t.db, overrides: { notifier } }));
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  const post = (path: string, body: unknown, token = TEST_SERVICE_TOKEN) =>
    fetch(`${app.url}/api/v1/billing${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = (path: string, token: string) =>
    fetch(`${app.url}/api/v1/billing${path}`, { headers: { authorization: `Bearer ${token}` } });
  const json = <T>(res: Response): Promise<T> => res.json() as Promise<T>;
  const nowIso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

  describe('ingestion', () => {
    it('accepts a batch, reports duplicates and rejections per event, and a replay changes nothing', async () => {
      const org = uniqueOrg();
      const batch = [
        event(org, 'messages', 3, nowIso(-1_000)),
        event(org, 'api_calls', 9, nowIso(-2_000)),
        event(org, 'messages', 1, nowIso(600_000), 'too-soon'),
      ];
      const first = await post('/usage/events', { events: batch });
      expect(first.status).toBe(200);
      expect(await json<IngestResult>(first)).toEqual({
        accepted: 2,
        duplicates: [],
        rejected: [{ index: 2, id: 'too-soon', reason: 'timestamp_in_future', message: expect.any(String) }],
      });
      const replay = await post('/usage/events', { events: batch.slice(0, 2) });
      expect(await json<IngestResult>(replay)).toMatchObject({
        accepted: 0,
        duplicates: [batch[0]?.id, batch[1]?.id].sort(),
      });
      const usage = await get(
        `/usage?startDate=${nowIso().slice(0, 10)}&endDate=${nowIso().slice(0, 10)}`,
        await userToken({ org, role: 'member' }),
      );
      expect((await json<{ data: UsagePoint[] }>(usage)).data).toEqual([
        { period: nowIso().slice(0, 10), metric: 'api_calls', quantity: 9 },
        { period: nowIso().slice(0, 10), metric: 'messages', quantity: 3 },
      ]);
    });

    it('refuses user tokens, unknown service tokens and oversized batches', async () => {
      const org = uniqueOrg();
      const one = { events: [event(org, 'messages', 1, nowIso())] };
      expect((await post('/usage/events', one, await userToken({ org }))).status).toBe(401);
      expect((await post('/usage/events', one, 'svc_unknown_token_0123456789abcdef')).status).toBe(401);
      const tooMany = { events: Array.from({ length: 1_001 }, () => event(org, 'messages', 1, nowIso())) };
      const res = await post('/usage/events', tooMany);
      expect(res.status).toBe(422);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('usage history', () => {
    it("answers per day or month for the caller's own organization only", async () => {
      const org = uniqueOrg();
      const other = uniqueOrg();
      await post('/usage/events', {
        events: [event(org, 'messages', 4, nowIso(-1_000)), event(other, 'messages', 50, nowIso(-1_000))],
      });
      const month = nowIso().slice(0, 7);
      const res = await get(
        `/usage?startDate=${month}-01&endDate=${nowIso().slice(0, 10)}&granularity=month`,
        await userToken({ org }),
      );
      expect(await json<unknown>(res)).toMatchObject({
        granularity: 'month',
        data: [{ period: month, metric: 'messages', quantity: 4 }],
      });
    });

    it('validates dates and bounds the range', async () => {
      const token = await userToken({ org: uniqueOrg() });
      expect((await get('/usage?startDate=2026-02-30&endDate=2026-03-01', token)).status).toBe(422);
      expect((await get('/usage?startDate=2026-03-02&endDate=2026-03-01', token)).status).toBe(422);
      expect((await get('/usage?startDate=2024-01-01&endDate=2026-03-01', token)).status).toBe(422);
      expect((await get('/usage?startDate=2026-03-01&endDate=2026-03-01', 'nope')).status).toBe(401);
    });
  });

  describe('entitlements', () => {
    it('lists limits, usage and what remains for the effective plan', async () => {
      const org = uniqueOrg();
      await post('/usage/events', {
        events: [event(org, 'messages', 250, nowIso(-1_000)), event(org, 'agents', 1, nowIso(-1_000))],
      });
      const res = await get('/entitlements', await userToken({ org, role: 'member' }));
      const body = await json<Entitlements>(res);
      expect(body.plan).toBe('free');
      expect(body.metrics).toEqual(
        expect.arrayContaining([
          { metric: 'messages', kind: 'counter', limit: 1_000, used: 250, remaining: 750, overage: null },
          { metric: 'agents', kind: 'gauge', limit: 1, used: 1, remaining: 0, overage: null },
        ]),
      );
    });

    it('holds free limits hard, lets paid counters into priced overage, keeps gauges hard, and never limits enterprise', async () => {
      const [free, paid, ent] = [uniqueOrg(), uniqueOrg(), uniqueOrg()];
      const start = new Date(Date.now() - 86_400_000).toISOString();
      const end = new Date(Date.now() + 20 * 86_400_000).toISOString();
      await subscribe(t.db, paid, 'starter', { start, end }, 'past_due');
      await subscribe(t.db, ent, 'enterprise', { start, end });
      await post('/usage/events', {
        events: [event(free, 'messages', 990, nowIso(-1_000)), event(paid, 'messages', 9_990, nowIso(-1_000))],
      });
      const check = async (org: string, metric: string, quantity: number) =>
        json<ConsumeResult>(await post('/entitlements/check', { organizationId: org, metric, quantity }));
      expect(await check(free, 'messages', 20)).toMatchObject({
        allowed: false,
        plan: 'free',
        limit: 1_000,
        used: 990,
        remaining: 10,
      });
      expect(await check(free, 'messages', 10)).toMatchObject({ allowed: true, remaining: 10 });
      expect(await check(paid, 'messages', 20)).toMatchObject({
        allowed: true,
        plan: 'starter',
        limit: 10_000,
        used: 9_990,
        remaining: 10,
        overage: { quantity: 10, terms: { unitAmount: 200, blockSize: 1_000, currency: 'usd' } },
      });
      expect(await check(paid, 'agents', 6)).toMatchObject({ allowed: false, limit: 5 });
      expect(await check(ent, 'messages', 1e9)).toMatchObject({ allowed: true, limit: null, remaining: null });
    });

    it('applies free limits once the subscription has ended (downgrade)', async () => {
      const org = uniqueOrg();
      await subscribe(t.db, org, 'professional', { start: nowIso(-86_400_000), end: nowIso(86_400_000) }, 'canceled');
      await t.db
        .updateTable('subscriptions')
        .set({ ended_at: new Date() })
        .where('organization_id', '=', org)
        .execute();
      const res = await post('/entitlements/check', { organizationId: org, metric: 'agents', quantity: 2 });
      expect(await json<unknown>(res)).toMatchObject({ allowed: false, plan: 'free', limit: 1 });
    });

    it('lets a user check only their own organization, and only services consume', async () => {
      const org = uniqueOrg();
      const token = await userToken({ org, role: 'member' });
      expect((await post('/entitlements/check', { metric: 'messages', quantity: 1 }, token)).status).toBe(200);
      expect(
        (await post('/entitlements/check', { organizationId: uniqueOrg(), metric: 'messages', quantity: 1 }, token))
          .status,
      ).toBe(403);
      expect(
        (
          await post(
            '/entitlements/check',
            { metric: 'messages', quantity: 1, consume: { eventId: randomUUID() } },
            token,
          )
        ).status,
      ).toBe(403);
      expect((await post('/entitlements/check', { metric: 'messages', quantity: 1 })).status).toBe(422);
      expect(
        (
          await post('/entitlements/check', {
            organizationId: org,
            metric: 'agents',
            quantity: 1,
            consume: { eventId: 'x1' },
          })
        ).status,
      ).toBe(422);
    });

    it('never lets concurrent consumes at the free limit pass it, even racing with ingestion', async () => {
      const org = uniqueOrg();
      await post('/usage/events', { events: [event(org, 'messages', 990, nowIso(-5_000))] });
      const consume = () =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 1,
          consume: { eventId: randomUUID() },
        }).then((r) => json<ConsumeResult>(r));
      const ingest = () => post('/usage/events', { events: [event(org, 'messages', 1, nowIso(-1_000))] });
      const results = await Promise.all([...Array.from({ length: 30 }, consume), ...Array.from({ length: 5 }, ingest)]);
      const allowed = results.filter((r) => 'consumed' in r && r.consumed).length;
      // Ingestion records facts (it may pass the limit); a consume is allowed only while the total stays within it.
      expect(allowed).toBeGreaterThanOrEqual(5);
      expect(allowed).toBeLessThanOrEqual(10);
      const entitlements = await json<Entitlements>(await get('/entitlements', await userToken({ org })));
      expect(entitlements.metrics.find((m) => m.metric === 'messages')?.used).toBe(990 + allowed + 5);
    });

    it('never grants concurrent consumes more included usage than a yearly term’s raised limit: the rest is overage', async () => {
      const org = uniqueOrg();
      const period = { start: nowIso(-86_400_000), end: nowIso(364 * 86_400_000) };
      await subscribe(t.db, org, 'starter', period, 'active', { interval: 'year', seats: 0, addOns: {} });
      // starter's 10,000 messages a month become 120,000 for the year; 10 remain.
      await post('/usage/events', { events: [event(org, 'messages', 119_990, nowIso(-5_000))] });
      const consume = () =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 1,
          consume: { eventId: randomUUID() },
        }).then((r) => json<ConsumeResult>(r));
      const results = await Promise.all(Array.from({ length: 30 }, consume));
      expect(results.every((r) => r.consumed && r.limit === 120_000)).toBe(true);
      expect(results.filter((r) => r.overage === undefined)).toHaveLength(10);
      expect(results.filter((r) => r.overage?.quantity === 1)).toHaveLength(20);
      const entitlements = await json<Entitlements>(await get('/entitlements', await userToken({ org })));
      expect(entitlements.metrics.find((m) => m.metric === 'messages')).toMatchObject({
        limit: 120_000,
        used: 120_020,
      });
    });

    it('never lets concurrent consumes pass a paused organization’s free limit (a pause without access)', async () => {
      const org = uniqueOrg();
      const period = { start: nowIso(-86_400_000), end: nowIso(29 * 86_400_000) };
      await subscribe(t.db, org, 'professional', period, 'paused', undefined, {
        behavior: 'no_access',
        resumesAt: null,
      });
      await post('/usage/events', { events: [event(org, 'messages', 995, nowIso(-5_000))] });
      const consume = () =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 1,
          consume: { eventId: randomUUID() },
        }).then((r) => json<ConsumeResult>(r));
      const results = await Promise.all(Array.from({ length: 20 }, consume));
      expect(results.filter((r) => r.consumed)).toHaveLength(5);
      expect(results.every((r) => r.plan === 'free' && r.limit === 1_000)).toBe(true);
    });

    it('never lets concurrent consumes pass an enterprise contract’s own messages limit (no overage is priced)', async () => {
      const org = uniqueOrg();
      await t.db
        .insertInto('subscriptions')
        .values({
          organization_id: org,
          workflow_id: `subscription:${org}`,
          plan: 'enterprise',
          status: 'active',
          current_period_start: nowIso(-86_400_000),
          current_period_end: nowIso(29 * 86_400_000),
          contract: JSON.stringify({
            amount: 500_000,
            currency: 'usd',
            interval: 'month',
            limits: { messages: 5_000 },
            collection: { method: 'charge_automatically' },
          }),
        })
        .execute();
      await post('/usage/events', { events: [event(org, 'messages', 4_990, nowIso(-5_000))] });
      const consume = () =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 1,
          consume: { eventId: randomUUID() },
        }).then((r) => json<ConsumeResult>(r));
      const results = await Promise.all(Array.from({ length: 30 }, consume));
      expect(results.filter((r) => r.consumed)).toHaveLength(10);
      expect(results.every((r) => r.plan === 'enterprise' && r.limit === 5_000)).toBe(true);
    });

    it('grants exactly the remaining quantity to concurrent consumes and counts a retried consume once', async () => {
      const org = uniqueOrg();
      await post('/usage/events', { events: [event(org, 'messages', 980, nowIso(-5_000))] });
      const ids = Array.from({ length: 40 }, () => randomUUID());
      const consume = (eventId: string) =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 2,
          consume: { eventId },
        }).then((r) => json<ConsumeResult>(r));
      const results = await Promise.all(ids.map(consume));
      expect(results.filter((r) => r.consumed).length).toBe(10);
      const winner = ids[results.findIndex((r) => r.consumed)] ?? '';
      expect(await consume(winner)).toMatchObject({ allowed: true, consumed: false, duplicate: true, used: 1_000 });
      const replayAsEvent = await post('/usage/events', {
        events: [event(org, 'messages', 2, nowIso(-1_000), winner)],
      });
      expect(await json<IngestResult>(replayAsEvent)).toMatchObject({ accepted: 0, duplicates: [winner] });
      expect(notifier.sent.filter((n) => n.organizationId === org).map((n) => n.data.thresholdPercent)).toEqual([
        80, 100,
      ]);
    });

    it('a consume whose event id another organization already used is consumed (de-duplication is per organization)', async () => {
      const [first, second] = [uniqueOrg(), uniqueOrg()];
      const eventId = `shared-${randomUUID()}`;
      const consume = (org: string) =>
        post('/entitlements/check', {
          organizationId: org,
          metric: 'messages',
          quantity: 4,
          consume: { eventId },
        }).then((r) => json<ConsumeResult>(r));
      // `used` is the organization's total before the request.
      expect(await consume(first)).toMatchObject({ consumed: true, duplicate: false, used: 0 });
      expect(await consume(second)).toMatchObject({ consumed: true, duplicate: false, used: 0 });
      expect(await consume(second)).toMatchObject({ consumed: false, duplicate: true, used: 4 });
      expect(await consume(first)).toMatchObject({ consumed: false, duplicate: true, used: 4 });
    });
  });
});
