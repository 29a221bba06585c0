import { healthReportCommand } from '../../../src/cli/commands/health-report';
import type { CliDeps } from '../../../src/cli/command';
import { registerBillingHealthGauges } from '../../../src/api/billing-health-gauges';
import type { NewInvoiceRow } from '../../../src/db/read-models/invoices';
import type { NewEmailOutboxRow, NewStripeEventRow } from '../../../src/db/schema';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_METRICS_TOKEN as METRICS_TOKEN, userToken } from '../../helpers/tokens';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'admin_health_token_0123456789abcdefgh';
const DAY = 86_400_000;
const now = Date.now();
const yesterday = new Date(now - DAY);
const RECENT = { from: new Date(now - 2 * DAY).toISOString(), to: new Date(now + 3_600_000).toISOString() };
const lastMonthAt = new Date(now - 40 * DAY);
const LAST_MONTH = { from: new Date(now - 45 * DAY).toISOString(), to: new Date(now - 35 * DAY).toISOString() };

let t: TestDb;
let app: RunningApp;
let seq = 0;

function invoice(
  fields: Partial<NewInvoiceRow> & Pick<NewInvoiceRow, 'status' | 'amount_due'>,
  at = yesterday,
): NewInvoiceRow {
  seq += 1;
  return {
    organization_id: 'org_health',
    stripe_invoice_id: `in_health_${seq}`,
    currency: 'usd',
    stripe_created_at: at,
    source_event_created_at: at,
    ...fields,
  };
}

function email(
  kind: 'invoice_issued' | 'invoice_receipt',
  invoiceId: string,
  status: NewEmailOutboxRow['status'],
): NewEmailOutboxRow {
  return {
    dedupe_key: `${kind}:${invoiceId}`,
    organization_id: 'org_health',
    kind,
    to_address: 'billing@health.example',
    subject: 's',
    text_body: 't',
    status,
  };
}

function stripeEvent(
  n: number,
  relay: Pick<NewStripeEventRow, 'relay_status' | 'relay_attempts'>,
  at = yesterday,
): NewStripeEventRow {
  return {
    id: `evt_health_${n}`,
    type: 'invoice.paid',
    livemode: false,
    stripe_created_at: at,
    payload: '{}',
    ...relay,
  };
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

/**
 * Yesterday: 1,000 payments, one of which needed a retry (then paid); an open invoice not yet attempted
 * and a $0 trial invoice that count for no payment figure. 1,000 webhook events, 10 of which failed at
 * least once (one still failing, one dead-lettered). 2,001 invoice emails owed: one failed, one pending, one not stored yet.
 * Forty days ago: 20 payments, one lost to dunning after four attempts.
 */
beforeAll(async () => {
  t = await createTestDb();
  const paid = Array.from({ length: 999 }, () =>
    invoice({
      status: 'paid',
      amount_due: 2900,
      amount_paid: 2900,
      attempt_count: 1,
      issued_email_queued_at: yesterday,
      receipt_email_queued_at: yesterday,
    }),
  );
  const recovered = invoice({
    status: 'paid',
    amount_due: 2900,
    amount_paid: 2900,
    attempt_count: 2,
    issued_email_queued_at: yesterday,
    receipt_email_queued_at: yesterday,
  });
  const awaiting = invoice({ status: 'open', amount_due: 9900, attempt_count: 0 });
  const trial = invoice({ status: 'paid', amount_due: 0, attempt_count: 0 });
  const lastMonth = [
    ...Array.from({ length: 19 }, () =>
      invoice({ status: 'paid', amount_due: 9900, amount_paid: 9900, attempt_count: 1 }, lastMonthAt),
    ),
    invoice({ status: 'uncollectible', amount_due: 9900, attempt_count: 4 }, lastMonthAt),
  ];
  await insertChunked([...paid, recovered, awaiting, trial, ...lastMonth], (chunk) =>
    t.db.insertInto('invoices').values(chunk).execute(),
  );

  const settled = [...paid, recovered];
  const emails = settled.flatMap((i, n) => [
    email('invoice_issued', i.stripe_invoice_id, n === 0 ? 'failed' : 'sent'),
    email('invoice_receipt', i.stripe_invoice_id, n === 1 ? 'pending' : 'sent'),
  ]);
  await insertChunked(emails, (chunk) => t.db.insertInto('email_outbox').values(chunk).execute());

  const events = Array.from({ length: 1000 }, (_, n) =>
    stripeEvent(
      n,
      n < 8
        ? { relay_status: 'relayed', relay_attempts: 1 }
        : n === 8
          ? { relay_status: 'dead_lettered', relay_attempts: 5 }
          : n === 9
            ? { relay_status: 'pending', relay_attempts: 3 }
            : { relay_status: 'relayed', relay_attempts: 0 },
    ),
  );
  await insertChunked(
    [...events, stripeEvent(5000, { relay_status: 'pending', relay_attempts: 2 }, lastMonthAt)],
    (chunk) => t.db.insertInto('stripe_events').values(chunk).execute(),
  );

  // A backfilled customer Stripe had no email for, and one with its billing email.
  await t.db
    .insertInto('billing_customers')
    .values([
      { organization_id: 'org_no_email', stripe_customer_id: 'cus_no_email', stripe_test_clock_id: null, email: null },
      {
        organization_id: 'org_email',
        stripe_customer_id: 'cus_email',
        stripe_test_clock_id: null,
        email: 'b@x.example',
      },
    ])
    .execute();

  app = await startTestApp(
    buildTestAppDeps({ db: t.db, env: { ADMIN_TOKENS: ADMIN_TOKEN, METRICS_TOKENS: METRICS_TOKEN } }),
  );
  registerBillingHealthGauges(app.deps.metrics.billingRegistry, t.db);
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});

async function report(range: { from: string; to: string }, token = ADMIN_TOKEN) {
  const res = await fetch(
    `${app.url}/api/v1/billing/admin/health-report?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { figures: { figure: string }[] },
  };
}

const figure = (body: { figures: { figure: string }[] }, name: string) => body.figures.find((f) => f.figure === name);

test('1,000 payments with one retried give 99.9 % success (target met) and 0.1 % retries; the figures beside their targets', async () => {
  const { status, body } = await report(RECENT);
  expect(status).toBe(200);
  expect(figure(body, 'payment_success_rate')).toEqual({
    figure: 'payment_success_rate',
    value: 0.999,
    numerator: 999,
    denominator: 1000,
    target: { comparison: '>=', value: 0.999 },
    met: true,
  });
  expect(figure(body, 'payment_retry_rate')).toEqual({
    figure: 'payment_retry_rate',
    value: 0.001,
    numerator: 1,
    denominator: 1000,
    target: { comparison: '<', value: 0.05 },
    met: true,
  });
  // Exactly 1 % is not below 1 %.
  expect(figure(body, 'webhook_processing_failure_rate')).toEqual({
    figure: 'webhook_processing_failure_rate',
    value: 0.01,
    numerator: 10,
    denominator: 1000,
    target: { comparison: '<', value: 0.01 },
    met: false,
  });
  expect(figure(body, 'invoice_delivery_rate')).toEqual({
    figure: 'invoice_delivery_rate',
    value: 1998 / 2001,
    numerator: 1998,
    denominator: 2001,
    target: { comparison: '>=', value: 1 },
    met: false,
  });
  expect(body.details).toEqual({
    paymentsAwaitingFirstAttemptExcluded: true,
    webhookEventsStillFailing: 1,
    webhookEventsDeadLettered: 1,
    invoiceEmailsFailed: 1,
    invoiceEmailsPending: 1,
    invoiceEmailsNotQueued: 1,
    organizationsWithoutBillingEmail: [{ organizationId: 'org_no_email', stripeCustomerId: 'cus_no_email' }],
  });
  expect(body.dunningRevenue).toEqual([
    { currency: 'usd', recovered: 2900, recoveredInvoices: 1, lost: 0, lostInvoices: 0, recoveryRate: 1 },
  ]);
  expect(body.allTargetsMet).toBe(false);
});

test('a period with one payment lost to dunning out of 20 misses the payment targets and reports the lost revenue', async () => {
  const { body } = await report(LAST_MONTH);
  expect(figure(body, 'payment_success_rate')).toMatchObject({
    value: 0.95,
    numerator: 19,
    denominator: 20,
    met: false,
  });
  expect(figure(body, 'payment_retry_rate')).toMatchObject({ value: 0.05, met: false });
  expect(figure(body, 'webhook_processing_failure_rate')).toMatchObject({
    value: 1,
    numerator: 1,
    denominator: 1,
    met: false,
  });
  // 20 invoice emails and 19 receipts owed, none sent.
  expect(figure(body, 'invoice_delivery_rate')).toMatchObject({ value: 0, numerator: 0, denominator: 39, met: false });
  expect(body.dunningRevenue).toEqual([
    { currency: 'usd', recovered: 0, recoveredInvoices: 0, lost: 9900, lostInvoices: 1, recoveryRate: 0 },
  ]);
});

test('the CLI prints each figure with its counts beside its target', async () => {
  const lines: string[] = [];
  const deps = { db: t.db, out: (l: string) => lines.push(l) } as unknown as CliDeps;
  await healthReportCommand.run(['--from', RECENT.from, '--to', RECENT.to], deps);
  expect(lines).toEqual([
    `billing health ${RECENT.from} → ${RECENT.to}`,
    expect.stringMatching(/^ {2}payment success rate +99\.90 % +\(999\/1000\) +target ≥ 99\.9 % +met$/),
    expect.stringMatching(/^ {2}webhook processing failures +1\.00 % +\(10\/1000\) +target < 1 % +MISSED$/),
    expect.stringMatching(/^ {2}invoice delivery +99\.85 % +\(1998\/2001\) +target ≥ 100 % +MISSED$/),
    expect.stringMatching(/^ {2}payment retry rate +0\.10 % +\(1\/1000\) +target < 5 % +met$/),
    '  webhook events               1 failing and retried, 1 dead-lettered (npm run billing -- redrive-events)',
    expect.stringMatching(
      /^ {2}dunning revenue \(usd\) +recovered \$29\.00 \(1 invoices\), lost \$0\.00 \(0 invoices\)$/,
    ),
    expect.stringMatching(/^ {2}without a billing email +1 organization\(s\): their invoice emails cannot be sent$/),
    '    org_no_email (cus_no_email)',
  ]);
  lines.length = 0;
  await healthReportCommand.run(['--from', RECENT.from, '--to', RECENT.to, '--json'], deps);
  expect(JSON.parse(lines.join('\n'))).toEqual((await report(RECENT)).body);
  await expect(healthReportCommand.run(['--from', RECENT.to, '--to', RECENT.from], deps)).rejects.toThrow(
    /--from must be before --to/,
  );
});

test('the same figures are Prometheus gauges over the last 30 days', async () => {
  const text = await (
    await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  expect(text).toContain('billing_health_ratio{figure="payment_success_rate",window="30d"} 0.999');
  expect(text).toContain('billing_health_ratio{figure="payment_retry_rate",window="30d"} 0.001');
  expect(text).toContain('billing_health_ratio{figure="webhook_processing_failure_rate",window="30d"} 0.01');
  expect(text).toContain('billing_health_target_met{figure="payment_success_rate",window="30d"} 1');
  expect(text).toContain('billing_health_target_met{figure="invoice_delivery_rate",window="30d"} 0');
  expect(text).toContain('billing_health_target_ratio{figure="payment_success_rate",comparison=">="} 0.999');
  expect(text).toContain('billing_dunning_revenue_minor_units{currency="usd",outcome="recovered",window="30d"} 2900');
});

test('only operators read the report, and the period is validated', async () => {
  expect((await report(RECENT, await userToken({ org: 'org_health', role: 'owner' }))).status).toBe(401);
  expect((await report(RECENT, 'svc_test_token_0123456789abcdef')).status).toBe(401);
  const res = await fetch(`${app.url}/api/v1/billing/admin/health-report`);
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string; requestId: string } }).error).toMatchObject({
    code: 'UNAUTHORIZED',
    requestId: expect.any(String),
  });
  expect((await report({ from: RECENT.to, to: RECENT.from })).status).toBe(422);
  expect((await report({ from: 'yesterday', to: RECENT.to })).status).toBe(422);
  expect((await report({ from: '2020-01-01T00:00:00Z', to: RECENT.to })).status).toBe(422);
});
