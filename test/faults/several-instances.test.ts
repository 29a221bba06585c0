import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { eventually } from '../helpers/stack';
import { buildsOf, runsOf } from '../helpers/temporal';
import { subscriptionWorkflowId } from '../../src/workflows/messages';
import { advanceDays, expectInvariants, faultsConsumed, newOrg, sendUsage, subscribe } from './support';

jest.setTimeout(300_000);

/**
 * Two API and two worker processes on one Postgres and one Temporal server, as several instances run in
 * production. Both APIs register their webhook URL with the simulator, so every Stripe event also arrives twice.
 */
let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ workers: 2, apis: 2 });
}, 240_000);
afterAll(async () => {
  if (stack) writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-several-instances.log'), stack.logs());
  await stack?.close();
});

/** The same stack seen through API instance `i` (the helpers call `stack.api`). */
const via = (i: number): FaultStack => ({ ...stack, api: stack.apis[i % stack.apis.length] as { url: string } });

test('two APIs and two workers, one worker SIGTERMed mid-load and restarted: no duplicate charge, email or usage count', async () => {
  const orgs = [0, 1, 2, 3].map((i) => newOrg(`scale${i}`));
  // Stripe answers subscription creations after 3 s, so they are in flight on the workers when one drains.
  for (let i = 0; i < 2; i++)
    await stack.apiFault({ kind: 'delay', hangMs: 3_000, method: 'POST', path: '^/v1/subscriptions$' });
  const subscribing = Promise.all(orgs.map((org, i) => subscribe(via(i), org)));
  // The same usage events through both APIs (a client retrying on another instance): counted once.
  const ids = (org: string) => Array.from({ length: 10 }, (_, n) => `${org}-evt-${n}`);
  const usage = Promise.all(
    orgs.flatMap((org) => [sendUsage(via(0), org, ids(org), 2), sendUsage(via(1), org, ids(org), 2)]),
  );
  await faultsConsumed(stack);

  // A rolling restart: SIGTERM lets worker 0 finish its in-flight activities and exit 0; the other keeps polling.
  expect(await stack.stopWorker(0)).toBe(0);
  await stack.startWorker(0);

  for (const reply of await subscribing) expect(reply.status).toBe(201);
  for (const statuses of await usage) expect(statuses).toEqual([200]);
  for (const org of orgs) await advanceDays(via(1), org, 15); // past the trial: the first invoice is charged

  await expectInvariants(
    stack,
    orgs.map((organizationId) => ({ organizationId })),
    orgs.map((organizationId) => ({ organizationId, metric: 'api_calls', events: 10, quantity: 20 })),
  );
  // Both workers, and worker 0 after its restart, stamp the bundle's build id (src/runtime/workflow-bundle.ts), the
  // same for the same code: the trial's end, a new period, ended no run (a run ends there only on other code).
  for (const org of orgs) {
    const runs = await runsOf(stack.client, subscriptionWorkflowId(org));
    expect(runs).toHaveLength(1);
    expect(buildsOf(runs[0]!)).toEqual([expect.stringMatching(/^billing-workflows@sdk-\d+\.\d+\.\d+\+[0-9a-f]{20}$/)]);
  }
  // Each email once, although every event reached both APIs and two workers ran the outbox and the invoice mailer.
  const sent = (org: string) =>
    stack.mail.messages({ to: `${org}@faults.example` }).map((m) => `${m.subject}\n${m.text ?? ''}`);
  for (const org of orgs) {
    await eventually(
      `the first invoice's emails to ${org}`,
      async () => (sent(org).length >= 2 ? true : undefined),
      90_000,
    );
  }
  await new Promise((r) => setTimeout(r, 3_000)); // room for a duplicate to show up
  for (const org of orgs) expect(new Set(sent(org)).size).toBe(sent(org).length);
  expect(stack.running()).toEqual({ worker: true, api: true });
});
