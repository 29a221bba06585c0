import { randomUUID } from 'node:crypto';
import { backfillCommand } from '../../src/cli/commands/backfill';
import { assignContractCommand } from '../../src/cli/commands/assign-contract';
import { assignPlanCommand } from '../../src/cli/commands/assign-plan';
import { catalogSyncCommand } from '../../src/cli/commands/catalog-sync';
import { extendTrialCommand } from '../../src/cli/commands/extend-trial';
import { reconcileCommand } from '../../src/cli/commands/reconcile';
import { redriveEventsCommand } from '../../src/cli/commands/redrive-events';
import { showCommand } from '../../src/cli/commands/show';
import { UsageError, type CliCommand, type CliDeps } from '../../src/cli/command';
import { runEntryPoint } from '../helpers/processes';
import { apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(120_000);

let stack: Stack;
let lines: string[];
let deps: CliDeps;
const org = `org_cli_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  stack = await startStack();
  lines = [];
  deps = {
    config: stack.config,
    db: stack.t.db,
    temporal: stack.temporal.client,
    out: (line) => lines.push(line),
    progress: () => undefined,
  };
});
afterAll(() => stack?.close());

async function run(command: CliCommand, ...argv: string[]): Promise<string> {
  lines = [];
  await command.run(argv, deps);
  return lines.join('\n');
}

test('catalog-sync creates the plans, prices and overage meters, and a second run changes nothing', async () => {
  expect(await run(catalogSyncCommand)).toMatch(/billing_starter_monthly .* created/);
  const again = await run(catalogSyncCommand);
  expect(again).not.toMatch(/created/);
  expect(again).toMatch(/billing_professional_monthly .* unchanged/);
});

test('show prints the read model beside the workflow state', async () => {
  const call = apiClient(stack, await userToken({ org }));
  expect((await call('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa' })).status).toBe(
    201,
  );
  const shown = JSON.parse(await run(showCommand, '--org', org)) as {
    readModel: { status: string };
    workflow: { status: string; plan: string };
  };
  expect(shown.readModel.status).toBe('trialing');
  expect(shown.workflow).toMatchObject({ status: 'trialing', plan: 'starter' });
});

test('extend-trial moves the trial end later in Stripe and in the read model', async () => {
  const before = await stack.stripe.subscriptions.list({ customer: await customer() });
  const trialEnd = before.data[0]!.trial_end!;
  expect(await run(extendTrialCommand, '--org', org, '--days', '7')).toMatch(/trial now ends/);
  const after = await stack.stripe.subscriptions.list({ customer: await customer() });
  expect(after.data[0]!.trial_end).toBe(trialEnd + 7 * 86_400);
});

test('assign-plan gives an organization the enterprise price that customers cannot choose', async () => {
  const product = await stack.stripe.products.create({ name: 'Enterprise (contract)' });
  await stack.stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 150_000,
    recurring: { interval: 'month' },
    lookup_key: 'billing_enterprise_monthly',
  });
  expect(await run(assignPlanCommand, '--org', org, '--plan', 'enterprise')).toMatch(/plan enterprise/);
  const sub = (await stack.stripe.subscriptions.list({ customer: await customer() })).data[0]!;
  expect(sub.items.data[0]!.price.lookup_key).toBe('billing_enterprise_monthly');
});

test('assign-contract gives an organization on free with no card a contract invoiced net 30, its limits at once', async () => {
  const free = `org_cli_contract_${randomUUID().slice(0, 8)}`;
  const output = await run(
    assignContractCommand,
    '--org',
    free,
    '--amount',
    '250000',
    '--interval',
    'month',
    '--limits',
    'users=20,messages=-1',
    '--email',
    'ap@bigcorp.example',
  );
  expect(output).toMatch(
    /contract assigned → plan enterprise \(status active\), 250000 usd per month, invoiced net 30/,
  );
  const row = await stack.t.db
    .selectFrom('subscriptions')
    .select(['plan', 'contract', 'stripe_subscription_id'])
    .where('organization_id', '=', free)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ plan: 'enterprise', contract: { limits: { users: 20, messages: -1 } } });
  const sub = await stack.stripe.subscriptions.retrieve(row.stripe_subscription_id!);
  expect(sub).toMatchObject({ collection_method: 'send_invoice', days_until_due: 30 });
});

test('redrive-events puts stored events back in the relay queue for a time range', async () => {
  await eventually('events relayed', async () =>
    (await stack.t.db.selectFrom('stripe_events').select('id').where('relay_status', '=', 'relayed').execute()).length >
    0
      ? true
      : undefined,
  );
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const output = await run(
    redriveEventsCommand,
    '--from',
    from,
    '--to',
    new Date(Date.now() + 60 * 86_400_000).toISOString(),
  );
  expect(Number(/(\d+)/.exec(output)?.[1])).toBeGreaterThan(0);
});

test('reconcile runs in-process and reports what it compared', async () => {
  const report = JSON.parse(await run(reconcileCommand, '--local')) as { ranIn: string };
  expect(report.ranIn).toBe('this process');
});

test('backfill --dry-run lists the live Stripe subscriptions it would track and starts nothing', async () => {
  const output = await run(backfillCommand, '--dry-run');
  expect(output).toMatch(/\d+ live subscription\(s\) in Stripe; \d+ would be tracked by a workflow/);
  expect(output).toContain(org);
});

test.each<[string, CliCommand, string[]]>([
  ['show', showCommand, []],
  ['show', showCommand, ['--org', 'not an id']],
  ['assign-plan', assignPlanCommand, ['--org', org, '--plan', 'platinum']],
  ['assign-contract', assignContractCommand, ['--org', org, '--amount', '0', '--interval', 'month']],
  ['assign-contract', assignContractCommand, ['--org', org, '--amount', '100', '--interval', 'week']],
  [
    'assign-contract',
    assignContractCommand,
    ['--org', org, '--amount', '100', '--interval', 'month', '--limits', 'seats=5'],
  ],
  [
    'assign-contract',
    assignContractCommand,
    ['--org', org, '--amount', '100', '--interval', 'month', '--limits', 'users'],
  ],
  [
    'assign-contract',
    assignContractCommand,
    ['--org', org, '--amount', '100', '--interval', 'month', '--days-until-due', '365'],
  ],
  ['extend-trial', extendTrialCommand, ['--org', org]],
  ['extend-trial', extendTrialCommand, ['--org', org, '--days', '0']],
  ['catalog-sync', catalogSyncCommand, ['--force']],
  ['reconcile', reconcileCommand, ['--invoice-lookback-days', 'many']],
  ['redrive-events', redriveEventsCommand, ['--from', 'yesterday']],
  ['backfill', backfillCommand, ['--now']],
])('%s rejects bad arguments %j with a usage error', async (_, command, argv) => {
  await expect(command.run(argv, deps)).rejects.toBeInstanceOf(UsageError);
});

test('the CLI binary prints help and exits 2 on an unknown command', async () => {
  const help = await runEntryPoint('src/cli/billing.ts', {}, ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(
    /catalog-sync[\s\S]*show[\s\S]*assign-plan[\s\S]*extend-trial[\s\S]*redrive-events[\s\S]*reconcile[\s\S]*backfill/,
  );
  const unknown = await runEntryPoint('src/cli/billing.ts', {}, ['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command: frobnicate/);
});

async function customer(): Promise<string> {
  return (
    await stack.t.db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', org)
      .executeTakeFirstOrThrow()
  ).stripe_customer_id;
}
