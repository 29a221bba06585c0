import { syncCatalog } from '../../src/stripe/catalog-sync';
import { startStack, type Stack } from '../helpers/stack';
import { runEntryPoint, type Exited } from '../helpers/processes';
import { TEST_SERVICE_TOKEN } from '../helpers/tokens';

jest.setTimeout(240_000);

/** The operator token the API accepts and the demo's contract chapter uses (ADMIN_TOKENS for both). */
const ADMIN_TOKEN = 'e2e-demo-operator-token-0123456789abcdef';

let stack: Stack;
let run: Exited;

/** The organizations this run created, from the workflow links the demo prints at the end. */
function organizations(stdout: string): Record<string, string> {
  const ids = [...stdout.matchAll(/subscription%3A(([a-z]+)-[0-9a-f]{6})%22/g)];
  return Object.fromEntries(ids.map((m) => [m[2] ?? '', m[1] ?? '']));
}

async function readModel(organizationId: string) {
  return stack.t.db
    .selectFrom('subscriptions')
    .select(['plan', 'status', 'stripe_subscription_id'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
}

function mailKinds(organizationId: string): string[] {
  return stack.mail
    .messages({ to: `billing@${organizationId}.example` })
    .map((m) => m.headers['x-billing-notification'] ?? '');
}

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  await syncCatalog(stack.stripe);
  // The demo's own entry point, as `npm run demo` runs it, pointed at this in-process stack.
  run = await runEntryPoint(
    'tools/demo/main.ts',
    {
      STRIPE_API_URL: stack.simUrl,
      STRIPE_TEST_CLOCKS: '1',
      USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN,
      ADMIN_TOKENS: ADMIN_TOKEN,
    },
    ['--api-url', stack.api.url, '--mail-url', stack.mail.httpUrl, '--no-keep-running', '--no-color'],
    200_000,
  );
});
afterAll(() => stack?.close());

test('the demo plays every chapter to the end, exits 0 and reports a summary that agrees with the read model and the simulator', () => {
  if (run.code !== 0) throw new Error(`demo exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  const steps = run.stdout.split('\n').filter((l) => /^\[\s*\d+\/\d+\]/.test(l));
  const total = Number(/\/(\d+)\]/.exec(steps[0] ?? '')?.[1]);
  expect(steps).toHaveLength(total);
  expect(steps.filter((l) => l.includes('✗'))).toEqual([]);
  expect(run.stdout).toContain('✓ the story played out and every summary row agrees');
  expect(Object.keys(organizations(run.stdout)).sort()).toEqual([
    'acme',
    'globex',
    'hooli',
    'initech',
    'umbrella',
    'vandelay',
    'wernham',
  ]);
});

test('each organization ends where its story says, in the read model, in Stripe and in its inbox', async () => {
  const orgs = organizations(run.stdout);
  const expectations: Record<string, { plan: string; status: string; emails: string[] }> = {
    acme: { plan: 'professional', status: 'active', emails: [] },
    globex: { plan: 'professional', status: 'active', emails: ['payment_failed', 'payment_recovered'] },
    initech: { plan: 'free', status: 'canceled', emails: ['payment_failed', 'final_notice', 'subscription_canceled'] },
    umbrella: { plan: 'free', status: 'canceled', emails: ['subscription_canceled'] },
    hooli: { plan: 'starter', status: 'active', emails: ['usage_threshold'] },
    wernham: { plan: 'starter', status: 'active', emails: ['payment_action_required'] },
    vandelay: { plan: 'enterprise', status: 'active', emails: [] },
  };
  for (const [key, expected] of Object.entries(expectations)) {
    const organizationId = orgs[key] ?? '';
    const row = await readModel(organizationId);
    expect({ key, plan: row.plan, status: row.status }).toEqual({ key, plan: expected.plan, status: expected.status });
    const stripeSub = await stack.stripe.subscriptions.retrieve(row.stripe_subscription_id ?? '');
    expect({ key, status: stripeSub.status }).toEqual({ key, status: expected.status });
    expect(mailKinds(organizationId)).toEqual(expect.arrayContaining(expected.emails));
  }
  // Initech's failed invoice was retried on Temporal's clock, then written off; nothing was deleted.
  expect(mailKinds(orgs.initech ?? '').filter((k) => k === 'payment_failed').length).toBeGreaterThanOrEqual(5);
  const initechInvoices = await stack.t.db
    .selectFrom('invoices')
    .select('status')
    .where('organization_id', '=', orgs.initech ?? '')
    .execute();
  expect(initechInvoices.map((i) => i.status).sort()).toEqual(['paid', 'uncollectible']);
  // Hooli crossed 80 % and 100 % of its messages: one alert each.
  expect(mailKinds(orgs.hooli ?? '').filter((k) => k === 'usage_threshold')).toHaveLength(2);
  // …and its 10,500 messages on Starter (10,000 included) were billed: 1 block of 1,000 at $2.00 on the renewal.
  const hooli = await readModel(orgs.hooli ?? '');
  const [renewal] = (await stack.stripe.invoices.list({ subscription: hooli.stripe_subscription_id ?? '', limit: 1 }))
    .data;
  const overage = renewal?.lines.data.filter((l) => l.amount > 0 && l.description?.includes('overage'));
  expect(overage?.map((l) => ({ quantity: l.quantity, amount: l.amount }))).toEqual([{ quantity: 1, amount: 200 }]);
  const reported = await stack.t.db
    .selectFrom('usage_overage_reports')
    .select(['metric', 'reported_blocks'])
    .where('organization_id', '=', orgs.hooli ?? '')
    .execute();
  expect(reported).toEqual([{ metric: 'messages', reported_blocks: 1 }]);
});

test("Vandelay's contract was invoiced on net-30 terms with its own price, paid out of band, and its limits apply", async () => {
  const organizationId = organizations(run.stdout).vandelay ?? '';
  const row = await readModel(organizationId);
  const stripeSub = await stack.stripe.subscriptions.retrieve(row.stripe_subscription_id ?? '', {
    expand: ['items.data.price'],
  });
  expect(stripeSub).toMatchObject({ collection_method: 'send_invoice', days_until_due: 30, status: 'active' });
  expect(stripeSub.items.data.map((i) => ({ amount: i.price.unit_amount, plan: i.price.metadata.plan }))).toEqual([
    { amount: 250_000, plan: 'enterprise' },
  ]);
  // One invoice, never charged: paid out of band by a customer without a card.
  const invoices = (await stack.stripe.invoices.list({ subscription: stripeSub.id })).data;
  expect(invoices.map((i) => ({ status: i.status, due: i.amount_due, paid: i.amount_paid }))).toEqual([
    { status: 'paid', due: 250_000, paid: 250_000 },
  ]);
  const customer = typeof stripeSub.customer === 'string' ? stripeSub.customer : stripeSub.customer.id;
  expect((await stack.stripe.customers.listPaymentMethods(customer)).data).toEqual([]);
  expect(row.plan).toBe('enterprise');
  expect(run.stdout).toMatch(/Vandelay .*\/_sim\/invoices\/in_/);
  expect(run.stdout).toContain('users 25, agents 10, messages unlimited · 11 agents refused');
});
