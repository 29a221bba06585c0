import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { subscriptionWorkflowId } from '../../src/workflows/messages';
import { advanceClock, apiClient, clockNow, customerOf, eventually, startStack, type Stack } from '../helpers/stack';
import { buildsOf, runsOf } from '../helpers/temporal';
import { userToken } from '../helpers/tokens';
import { HISTORIES_DIR, historyToFixture } from '../workflow/helpers/billing-env';

// One run spans billing periods while its workflow code stays the same; a deploy of other code reaches it at its
// next period (src/workflows/subscription-workflow.ts, `rolloverDue`). On the dev server, which records the build
// of the worker that completed each workflow task (the time-skipping server does not).

jest.setTimeout(180_000);

const DAY = 86_400_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

type Sub = { subscription: { status: string; currentPeriodEnd: string } | null };

test('a run spans renewals on the same code, and a deploy of other code reaches it at its next renewal', async () => {
  const org = `org_rollover_${randomUUID().slice(0, 8)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const created = await call<Sub>('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa' });
  expect(created.status).toBe(201);
  const start = await clockNow(stack, org);

  /** Moves the clock to `at` and waits for the read model to show the period Stripe then bills. */
  const renewTo = async (at: number) => {
    await advanceClock(stack, org, at);
    const [sub] = (
      await stack.stripe.subscriptions.list({ customer: await customerOf(stack, org), status: 'all', limit: 1 })
    ).data;
    const periodEnd = sub!.items.data[0]!.current_period_end * 1000;
    await eventually(`read model of ${org} at the period ending ${new Date(periodEnd).toISOString()}`, async () => {
      const { body } = await call<Sub>('GET', '/subscription');
      return body.subscription?.status === 'active' && Date.parse(body.subscription.currentPeriodEnd) === periodEnd
        ? true
        : undefined;
    });
  };

  // Trial end and a renewal on the code the stack started with: one run.
  await renewTo(start + 15 * DAY);
  await renewTo(start + 46 * DAY);
  const before = await runsOf(stack.temporal.client, subscriptionWorkflowId(org));
  expect(before).toHaveLength(1);
  const [firstBuild] = buildsOf(before[0]!);
  expect(firstBuild).toMatch(/^@temporalio\/worker@/);
  expect(buildsOf(before[0]!)).toEqual([firstBuild]);

  // The deploy: a worker on other code takes the task queue. The next renewal ends the run; the new run starts on
  // the new build and spans the renewal after.
  await stack.restartWorker({ buildId: 'billing-next' });
  await renewTo(start + 77 * DAY);
  await eventually('the run continued as new on the new build', async () =>
    (await runsOf(stack.temporal.client, subscriptionWorkflowId(org))).length === 2 ? true : undefined,
  );
  await renewTo(start + 108 * DAY);
  const after = await runsOf(stack.temporal.client, subscriptionWorkflowId(org));
  expect(after).toHaveLength(2);
  expect(buildsOf(after[0]!)).toEqual([firstBuild, 'billing-next']);
  expect(after[0]!.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(buildsOf(after[1]!)).toEqual(['billing-next']);

  // The replay test replays these too: a replay must read both builds from history to decide as the run did.
  if (process.env.RECORD_HISTORIES === '1')
    after.forEach((run, i) =>
      writeFileSync(
        path.join(HISTORIES_DIR, `core-2026-12-07--deploy-rollover--run${i + 1}.json`),
        `${historyToFixture(run)}\n`,
      ),
    );
});
