import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MOUNTED_ENDPOINTS } from '../../../../src/api/app';
import { bodyLimitBytes } from '../../../../src/api/endpoint';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../../helpers/app';
import { createTestDb, type TestDb } from '../../../helpers/db';
import { connectDevServer, uniqueTaskQueue } from '../../../helpers/temporal';
import { TEST_SERVICE_TOKEN, userToken } from '../../../helpers/tokens';
import { organizationsWithWorkflows, rowCounts } from './invariants';
import { loadOperations, type Operation } from './operations';
import { outcomeProblem, rawCases, runCase, type Outcome, type RawCase, type Route } from './raw-cases';

jest.setTimeout(300_000);

/**
 * The raw-socket sweep: what fetch cannot send (partial, stalled, chunked, malformed, oversized heads and
 * bodies) against every documented operation, each case with its one outcome: a 4xx envelope and a closed
 * connection, or a silent close. Between cases the server must still answer; after all of them nothing is
 * written, no workflow exists and the heap has not grown with what was sent.
 */
const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;

let t: TestDb;
let temporal: TestWorkflowEnvironment;
let app: RunningApp;
let routes: Route[];
const taskQueue = uniqueTaskQueue('raw-sweep');
const org = `org_raw_${randomUUID().slice(0, 8)}`;
const ADMIN_TOKEN = `raw_sweep_admin_${randomUUID()}`;

function limitOf(op: Operation): number {
  const mounted = MOUNTED_ENDPOINTS.find((m) => m.endpoint.method.toUpperCase() === op.method && m.path === op.path);
  return mounted ? bodyLimitBytes(mounted.endpoint) : 0;
}

beforeAll(async () => {
  t = await createTestDb();
  temporal = await connectDevServer();
  app = await startTestApp(
    buildTestAppDeps({
      db: t.db,
      temporal: temporal.client,
      env: {
        TEMPORAL_TASK_QUEUE: taskQueue,
        RATE_LIMIT_PER_MINUTE: '1000000',
        ADMIN_TOKENS: ADMIN_TOKEN,
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      },
    }),
  );
  const owner = `Bearer ${await userToken({ org })}`;
  routes = (await loadOperations(app.url)).map((op): Route => {
    const credentials: Record<string, string> = op.schemes.includes('userToken')
      ? { Authorization: owner }
      : op.schemes.includes('serviceToken')
        ? { Authorization: `Bearer ${TEST_SERVICE_TOKEN}` }
        : op.schemes.includes('adminToken')
          ? { Authorization: `Bearer ${ADMIN_TOKEN}` }
          : {};
    const limit = limitOf(op);
    const webhook = op.path.endsWith('/webhooks/stripe');
    if (webhook) credentials['Stripe-Signature'] = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
    const anonymousStream: Outcome =
      limit === 0
        ? { status: 413, code: 'PAYLOAD_TOO_LARGE' }
        : webhook
          ? { status: 400, code: 'INVALID_REQUEST' }
          : { status: 401, code: 'UNAUTHORIZED' };
    return {
      op,
      target: op.path.replaceAll(/{[^}]+}/g, 'raw_sweep_param'),
      limit,
      credentials,
      anonymousStream,
    };
  });
});
afterAll(async () => {
  await app?.close();
  await temporal?.teardown();
  await t?.destroy();
});

// A full collection before each heap reading, so the figure is what is still held, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const heapUsedMb = () => {
  collect();
  return process.memoryUsage().heapUsed / 1_048_576;
};

async function stillAnswering(): Promise<string | null> {
  try {
    const res = await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(3_000) });
    await res.text();
    return res.status === 200 ? null : `GET /healthz answered ${res.status}`;
  } catch (err) {
    return `GET /healthz failed: ${(err as Error).message}`;
  }
}

test('every documented operation answers each raw hostile request with its one outcome, and the server answers on', async () => {
  const before = await rowCounts(t.db, t.schema);
  const heapBefore = heapUsedMb();
  const cases = routes.flatMap(rawCases);
  const problems: string[] = [];
  const check = async (k: RawCase) => {
    const seen = await runCase(app.url, k, k.timed ? REQUEST_TIMEOUT_MS + 2_000 : 3_000);
    const problem = outcomeProblem(k, seen) ?? (await stillAnswering());
    if (problem) problems.push(`${k.operation}: ${k.name}: ${problem}`);
  };
  for (const k of cases.filter((c) => !c.timed)) await check(k);
  // Cases that wait on a server timeout run side by side, a batch per operation.
  for (const r of routes)
    await Promise.all(
      rawCases(r)
        .filter((c) => c.timed)
        .map(check),
    );
  const heapGrowthMb = heapUsedMb() - heapBefore;
  process.stdout.write(
    `raw hostile sweep: ${cases.length} cases over ${routes.length} operations, heap growth ${heapGrowthMb.toFixed(1)} MB\n`,
  );
  expect(problems).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(routes.length * 25);
  // Bodies of up to 16 MB were offered to every route; what the server took of them may not stay on the heap.
  expect(heapGrowthMb).toBeLessThan(16);
  expect(await rowCounts(t.db, t.schema)).toEqual(before);
});

test('no subscription workflow was started by any of it', async () => {
  expect(await organizationsWithWorkflows(temporal.client, [org])).toEqual([]);
  expect((await temporal.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count).toBe(0);
});
