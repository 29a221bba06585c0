import { randomUUID } from 'node:crypto';
import type { FaultStack } from '../helpers/fault-stack';
import { checkInvariants, type OrganizationExpectation, type UsageExpectation } from '../helpers/invariants';
import { advanceClock, apiClient, clockNow, eventually } from '../helpers/stack';
import { TEST_SERVICE_TOKEN, userToken } from '../helpers/tokens';

export const DAY = 86_400_000;

export type Reply = { status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } };

export function newOrg(label: string): string {
  return `org_${label}_${randomUUID().slice(0, 8)}`;
}

/**
 * A client that keeps its promise to retry: the same request with the same Idempotency-Key until it gets a
 * definite answer (not 5xx, not a dropped connection), as the frontend is told to. Returns every status seen.
 */
export async function persistently(
  stack: FaultStack,
  org: string,
  method: string,
  path: string,
  body: unknown,
  key: string,
  timeoutMs = 120_000,
): Promise<{ final: Reply; seen: number[] }> {
  const call = apiClient(stack, await userToken({ org, email: `${org}@faults.example` }));
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(method, path, body, { 'idempotency-key': key }).catch(() => ({ status: 0, body: {} }));
    seen.push(reply.status);
    // A 409 for a key whose first request is still in flight (it carries Retry-After) is "ask again", as for 5xx.
    const inFlight =
      reply.status === 409 && /still in progress/.test((reply.body as Reply['body']).error?.message ?? '');
    if ((reply.status > 0 && reply.status < 500 && !inFlight) || Date.now() > deadline)
      return { final: reply as Reply, seen };
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function subscribe(stack: FaultStack, org: string, plan = 'starter'): Promise<Reply> {
  const { final } = await persistently(
    stack,
    org,
    'POST',
    '/subscription',
    { planId: plan, paymentMethodId: 'pm_card_visa' },
    `subscribe-${org}`,
  );
  return final;
}

export async function upgrade(stack: FaultStack, org: string, plan = 'professional'): Promise<Reply> {
  const { final } = await persistently(stack, org, 'PATCH', '/subscription', { planId: plan }, `upgrade-${org}`);
  return final;
}

/** Moves an organization's Stripe clock by `days` (renewals, charges and their webhooks follow). */
export async function advanceDays(stack: FaultStack, org: string, days: number): Promise<void> {
  await advanceClock(stack, org, (await clockNow(stack, org)) + days * DAY);
}

/** The same through Stripe alone, for when our database is down: the clock is found by the name we gave it. */
export async function advanceDaysInStripe(stack: FaultStack, org: string, days: number): Promise<void> {
  const clock = (await stack.stripe.testHelpers.testClocks.list({ limit: 100 })).data.find(
    (c) => c.name === `org ${org}`,
  );
  if (!clock) throw new Error(`no test clock for ${org}`);
  await stack.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + days * 86_400 });
  await eventually(`test clock of ${org} ready`, async () =>
    (await stack.stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'ready' ? true : undefined,
  );
}

/** Waits until every queued simulator API fault has been consumed by a matching request (the call is now held or failed). */
export async function faultsConsumed(stack: FaultStack): Promise<void> {
  await eventually(
    'the injected faults to be hit',
    async () => {
      const res = (await (await fetch(`${stack.simUrl}/_sim/faults`)).json()) as { api: unknown[] };
      return res.api.length === 0 ? true : undefined;
    },
    60_000,
  );
}

/** Sends usage events (ids chosen by the caller) until the API accepts the batch; a retried batch is counted once. */
export async function sendUsage(stack: FaultStack, org: string, ids: string[], quantity: number): Promise<number[]> {
  const events = ids.map((id) => ({
    id,
    organizationId: org,
    metric: 'api_calls',
    quantity,
    timestamp: new Date().toISOString(),
  }));
  const seen: number[] = [];
  for (const deadline = Date.now() + 60_000; ;) {
    const res = await fetch(`${stack.api.url}/api/v1/billing/usage/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    }).catch(() => null);
    seen.push(res?.status ?? 0);
    if ((res && res.status < 500) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The checker, with the children's logs attached when something is violated. */
export async function expectInvariants(
  stack: FaultStack,
  organizations: OrganizationExpectation[],
  usage: UsageExpectation[] = [],
  opts: { deadLettered?: string[] } = {},
): Promise<number> {
  const report = await checkInvariants(stack, organizations, { usage, ...opts });
  if (report.violations.length > 0)
    process.stderr.write(`invariants violated; process output:\n${stack.logs().slice(-8_000)}\n`);
  expect(report.violations).toEqual([]);
  return report.convergedAfterMs;
}
