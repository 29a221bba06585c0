import { randomUUID } from 'node:crypto';
import { registerReadModelGauges } from '../../../src/api/read-model-gauges';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_METRICS_TOKEN as METRICS_TOKEN, userToken } from '../../helpers/tokens';

let t: TestDb;
let app: RunningApp;
const orgA = `org_a_${randomUUID().slice(0, 8)}`;
const orgB = `org_b_${randomUUID().slice(0, 8)}`;

// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function get(path: string, token?: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${app.url}/api/v1/billing${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { METRICS_TOKENS: METRICS_TOKEN } }));
  const now = Date.now();
  await t.db
    .insertInto('subscriptions')
    .values([
      {
        organization_id: orgA,
        workflow_id: `subscription:${orgA}`,
        plan: 'starter',
        status: 'active',
        unit_amount: 2900,
        stripe_subscription_id: `sub_${orgA}`,
        current_period_start: new Date(now),
        current_period_end: new Date(now + 30 * 864e5),
      },
      {
        organization_id: orgB,
        workflow_id: `subscription:${orgB}`,
        plan: 'professional',
        status: 'past_due',
        unit_amount: 9900,
        dunning_attempt: 2,
      },
    ])
    .execute();
  const invoices = Array.from({ length: 5 }, (_, i) => ({
    organization_id: orgA,
    stripe_invoice_id: `in_${orgA}_${i}`,
    status: 'paid',
    currency: 'usd',
    amount_due: 2900,
    amount_paid: 2900,
    hosted_invoice_url: `https://invoice.example/${i}`,
    invoice_pdf: `https://invoice.example/${i}.pdf`,
    stripe_created_at: new Date(now - i * 864e5),
    source_event_created_at: new Date(now),
  }));
  await t.db
    .insertInto('invoices')
    .values([...invoices, { ...invoices[0]!, organization_id: orgB, stripe_invoice_id: `in_${orgB}` }])
    .execute();
  await t.db
    .insertInto('payment_methods')
    .values([
      {
        organization_id: orgA,
        stripe_payment_method_id: `pm_${orgA}`,
        brand: 'visa',
        last4: '4242',
        exp_month: 12,
        exp_year: 2030,
        is_default: true,
        source_event_created_at: new Date(),
      },
      {
        organization_id: orgB,
        stripe_payment_method_id: `pm_${orgB}`,
        brand: 'mastercard',
        last4: '4444',
        source_event_created_at: new Date(),
      },
    ])
    .execute();
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});

describe('happy paths', () => {
  test('GET /plans lists the catalog publicly, cheapest first, with -1 for unlimited', async () => {
    const { status, body } = await get('/plans');
    expect(status).toBe(200);
    expect(body.data.map((p: { id: string }) => p.id)).toEqual(['free', 'starter', 'professional', 'enterprise']);
    expect(body.data[1].price).toEqual({ unitAmount: 2900, currency: 'usd', interval: 'month' });
    expect(body.data[1].pricesByCurrency).toEqual({
      usd: { month: 2900, year: 29000 },
      eur: { month: 2900, year: 29000 },
    });
    expect(body.data[0].pricesByCurrency).toEqual({ usd: null, eur: null });
    expect(body.data[3].limits.messages).toBe(-1);
    expect(body.data[3].selfServe).toBe(false);
  });

  test('GET /subscription returns the organization’s read model and effective plan', async () => {
    const { status, body } = await get('/subscription', await userToken({ org: orgA, role: 'member' }));
    expect(status).toBe(200);
    expect(body.subscription).toMatchObject({
      organizationId: orgA,
      plan: 'starter',
      status: 'active',
      unitAmount: 2900,
    });
    expect(body.effectivePlan).toBe('starter');
  });

  test('a past_due subscription keeps its plan’s entitlements during dunning', async () => {
    const { body } = await get('/subscription', await userToken({ org: orgB }));
    expect(body.subscription.dunningAttempt).toBe(2);
    expect(body.effectivePlan).toBe('professional');
  });

  test('an organization without a subscription is on free', async () => {
    const { status, body } = await get('/subscription', await userToken({ org: 'org_nobody' }));
    expect(status).toBe(200);
    expect(body).toEqual({ subscription: null, effectivePlan: 'free' });
  });

  test('GET /subscription shows the live subscription before newer ended ones, else the most recently created ended one', async () => {
    const [live, ended] = [`org_live_${randomUUID().slice(0, 8)}`, `org_ended_${randomUUID().slice(0, 8)}`];
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 864e5);
    const row = (org: string, n: number, plan: string, createdDaysAgo: number, endedDaysAgo: number | null) => ({
      organization_id: org,
      workflow_id: `subscription:${org}:${n}`,
      plan,
      status: endedDaysAgo === null ? 'trialing' : 'canceled',
      created_at: at(createdDaysAgo),
      ended_at: endedDaysAgo === null ? null : at(endedDaysAgo),
    });
    await t.db
      .insertInto('subscriptions')
      .values([
        row(live, 1, 'professional', 30, null),
        row(live, 2, 'starter', 10, 5),
        row(ended, 1, 'starter', 30, 20),
        row(ended, 2, 'professional', 10, 5),
        row(ended, 3, 'starter', 20, 1),
      ])
      .execute();
    // Twice: the first call prepares the statement on a connection, later calls reuse it.
    for (let i = 0; i < 2; i++) {
      expect((await get('/subscription', await userToken({ org: live }))).body).toMatchObject({
        subscription: { plan: 'professional', status: 'trialing', endedAt: null },
        effectivePlan: 'professional',
      });
      expect((await get('/subscription', await userToken({ org: ended }))).body).toMatchObject({
        subscription: { plan: 'professional', status: 'canceled' },
        effectivePlan: 'free',
      });
    }
  });

  test('GET /invoices pages newest first with hosted and PDF links, and the cursor walks every invoice once', async () => {
    const token = await userToken({ org: orgA });
    const first = await get('/invoices?limit=2', token);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0]).toMatchObject({
      stripeInvoiceId: `in_${orgA}_0`,
      hostedInvoiceUrl: 'https://invoice.example/0',
      invoicePdf: 'https://invoice.example/0.pdf',
    });
    const seen = [...first.body.data];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await get(`/invoices?limit=2&cursor=${cursor}`, token);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((i) => i.stripeInvoiceId)).toEqual([0, 1, 2, 3, 4].map((i) => `in_${orgA}_${i}`));
  });

  test('GET /payment-methods lists only the organization’s cards, default first', async () => {
    const { body } = await get('/payment-methods', await userToken({ org: orgA }));
    expect(body.data).toEqual([
      expect.objectContaining({ id: `pm_${orgA}`, brand: 'visa', last4: '4242', isDefault: true }),
    ]);
  });
});

describe('errors', () => {
  test.each([['/invoices?limit=0'], ['/invoices?limit=abc'], ['/invoices?cursor=not-a-cursor']])(
    'GET %s is a VALIDATION_FAILED envelope with a request id',
    async (path) => {
      const { status, body, headers } = await get(path, await userToken({ org: orgA }));
      expect(status).toBe(422);
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.requestId).toBe(headers.get('x-request-id'));
    },
  );

  test('an unknown route is a NOT_FOUND envelope', async () => {
    const { status, body } = await get('/nothing-here', await userToken({ org: orgA }));
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });
});

describe('tenant isolation', () => {
  test.each(['/subscription', '/invoices', '/payment-methods'])(
    'GET %s never shows another organization’s data',
    async (path) => {
      const { body } = await get(path, await userToken({ org: orgA }));
      expect(JSON.stringify(body)).not.toContain(orgB);
    },
  );
});

describe('operations endpoints', () => {
  test('the OpenAPI document lists the billing routes and security schemes', async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: object };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/billing/plans', '/api/v1/billing/subscription', '/api/v1/billing/invoices']),
    );
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['userToken', 'serviceToken']));
  });

  test('/docs serves the interactive documentation', async () => {
    const res = await fetch(`${app.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/api/v1/openapi.json');
  });

  test('/metrics exposes request latency by route template and status', async () => {
    await get('/plans');
    const text = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(
      /billing_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/billing\/plans",status="200"\} \d+/,
    );
  });

  test('/metrics reads billing state from the read models at scrape time', async () => {
    registerReadModelGauges(app.deps.metrics.billingRegistry, t.db);
    const text = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toContain('billing_subscriptions{plan="starter",status="active"} 1');
    expect(text).toContain('billing_dunning_subscriptions{attempt="2"} 1');
    expect(text).toContain('billing_webhook_inbox_pending 0');
  });
});
