import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../../helpers/app';
import { createTestDb, type TestDb } from '../../../helpers/db';
import { connectDevServer, uniqueTaskQueue } from '../../../helpers/temporal';
import { TEST_SERVICE_TOKEN, userToken } from '../../../helpers/tokens';
import { forgedAuthorizations } from './forged-tokens';
import { send, type SweepResponse } from './http';
import { organizationsWithWorkflows, rowCounts } from './invariants';
import { loadOperations, type Operation } from './operations';
import { planFor, type Credentials, type Plan } from './plans';
import { answerProblem, describeRequest, runOptions } from './sweep-support';

jest.setTimeout(180_000);

let t: TestDb;
let temporal: TestWorkflowEnvironment;
let app: RunningApp;
let operations: Operation[];
let creds: Credentials;
const taskQueue = uniqueTaskQueue('bad-input');
const org = `org_sweep_${randomUUID().slice(0, 8)}`;
const ADMIN_TOKEN = `sweep_admin_${randomUUID()}`;

beforeAll(async () => {
  t = await createTestDb();
  temporal = await connectDevServer();
  // A real Temporal client on a queue no worker polls: a request that wrongly starts a workflow is seen, and hangs.
  app = await startTestApp(
    buildTestAppDeps({
      db: t.db,
      temporal: temporal.client,
      env: { TEMPORAL_TASK_QUEUE: taskQueue, RATE_LIMIT_PER_MINUTE: '1000000', ADMIN_TOKENS: ADMIN_TOKEN },
    }),
  );
  operations = await loadOperations(app.url);
  creds = {
    owner: `Bearer ${await userToken({ org })}`,
    member: `Bearer ${await userToken({ org, role: 'member' })}`,
    service: `Bearer ${TEST_SERVICE_TOKEN}`,
    admin: `Bearer ${ADMIN_TOKEN}`,
    forged: await forgedAuthorizations(org),
  };
});
afterAll(async () => {
  await app?.close();
  await temporal?.teardown();
  await t?.destroy();
});

/** Sends the planned request and holds it to the sweep's promises: the answer, and nothing written. */
async function check(plan: Plan): Promise<SweepResponse> {
  const before = await rowCounts(t.db, t.schema);
  let res: SweepResponse;
  try {
    res = await send(app.url, plan.request);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${describeRequest(plan)}`, { cause: err });
  }
  const problem = answerProblem(plan, res);
  if (problem) throw new Error(`${problem}\n${describeRequest(plan)}`);
  const after = await rowCounts(t.db, t.schema);
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    throw new Error(`rows written: ${JSON.stringify(before)} → ${JSON.stringify(after)}\n${describeRequest(plan)}`);
  }
  return res;
}

test('the OpenAPI document lists the API the sweep must cover', () => {
  const listed = operations.map((o) => `${o.method} ${o.path}`);
  expect(listed).toEqual(
    expect.arrayContaining([
      'POST /api/v1/billing/subscription',
      'POST /api/v1/billing/usage/events',
      'POST /api/v1/billing/webhooks/stripe',
      'GET /healthz',
    ]),
  );
  expect(operations.filter((o) => o.body).length).toBeGreaterThanOrEqual(5);
});

test('every documented operation answers hostile requests with a 4xx envelope, never a 5xx or a hang, and writes nothing', async () => {
  const refused = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...operations).chain((op) => planFor(op, creds)),
      async (plan) => {
        await check(plan);
        if (plan.refusedBecause.length)
          refused.set(
            `${plan.request.method} ${plan.request.target.split('?')[0]}`,
            (refused.get(`${plan.request.method} ${plan.request.target.split('?')[0]}`) ?? 0) + 1,
          );
      },
    ),
    runOptions(600),
  );
  // Each operation was reached by refused requests, not only by legitimate ones.
  for (const op of operations)
    if (op.schemes.length || op.body || op.query.length)
      expect(refused.get(`${op.method} ${op.path}`) ?? 0).toBeGreaterThan(0);
});

test('no subscription workflow was started by any of it', async () => {
  expect(await organizationsWithWorkflows(temporal.client, [org])).toEqual([]);
  expect((await temporal.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count).toBe(0);
});
