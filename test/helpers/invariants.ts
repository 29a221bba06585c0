import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import type { Db } from '../../src/db/database';
import { planForLookupKey } from '../../src/domain/plans';
import { fromStripeStatus } from '../../src/domain/subscription-status';
import type { StripeSimulator } from '../../tools/stripe-sim';
import { apiClient } from './stack';
import { userToken } from './tokens';

/**
 * The promises the service keeps whatever broke, checked from the outside: Stripe (counted in the
 * simulator through the SDK), the webhook inbox, the usage ledger, the read model (through the API) and
 * Temporal. Every check reports what it found instead of throwing at the first difference, so a failing
 * scenario shows all that went wrong.
 */
export interface InvariantStack {
  stripe: Stripe;
  sim: StripeSimulator;
  t: { db: Db };
  client: Client;
  api: { url: string };
  /** Events a scenario signed and posted itself (not through the simulator): in the inbox, never among its deliveries. */
  injectedEvents?: ReadonlySet<string>;
}

export interface OrganizationExpectation {
  organizationId: string;
  /** Subscriptions this organization asked for (each one created in Stripe exactly once). */
  subscriptions?: number;
  /** Upgrades asked for: at most this many proration invoices paid. */
  upgrades?: number;
}

export interface UsageExpectation {
  organizationId: string;
  metric: string;
  /** Distinct accepted event ids. */
  events: number;
  /** Their quantities summed once each. */
  quantity: number;
}

/** Read models must match Stripe, and the inbox must be relayed, within this long after the faults are lifted. */
export const CONVERGENCE_BOUND_MS = 30_000;

export interface InvariantReport {
  violations: string[];
  /** How long the read models, the inbox and the relay took to converge once checking started. */
  convergedAfterMs: number;
}

export async function checkInvariants(
  stack: InvariantStack,
  organizations: OrganizationExpectation[],
  opts: {
    usage?: UsageExpectation[];
    boundMs?: number;
    /** Injected events the relay must have dead-lettered (every other event relayed). */
    deadLettered?: string[];
  } = {},
): Promise<InvariantReport> {
  const started = Date.now();
  const deadline = started + (opts.boundMs ?? CONVERGENCE_BOUND_MS);
  const customers = await customersByOrganization(
    stack.stripe,
    organizations.map((o) => o.organizationId),
  );
  const converged = await convergence(stack, customers, deadline, new Set(opts.deadLettered ?? []));
  const convergedAfterMs = Date.now() - started;
  const violations = [
    ...converged,
    ...(await stripeWritesOnce(stack.stripe, organizations, customers)),
    ...(await usageCountedOnce(stack.t.db, opts.usage ?? [])),
    ...(await stuckWorkflows(stack.client)),
  ];
  return { violations, convergedAfterMs };
}

async function customersByOrganization(
  stripe: Stripe,
  organizationIds: string[],
): Promise<Map<string, Stripe.Customer[]>> {
  const wanted = new Set(organizationIds);
  const byOrg = new Map<string, Stripe.Customer[]>(organizationIds.map((id) => [id, []]));
  for await (const customer of stripe.customers.list({ limit: 100 })) {
    const org = customer.metadata.organization_id;
    if (org && wanted.has(org)) byOrg.get(org)?.push(customer);
  }
  return byOrg;
}

/** Every Stripe write happened at most once in effect: one customer and test clock, the subscriptions asked for, no double charge. */
async function stripeWritesOnce(
  stripe: Stripe,
  organizations: OrganizationExpectation[],
  customers: Map<string, Stripe.Customer[]>,
): Promise<string[]> {
  const out: string[] = [];
  const clocks: Stripe.TestHelpers.TestClock[] = [];
  for await (const clock of stripe.testHelpers.testClocks.list({ limit: 100 })) clocks.push(clock);
  for (const org of organizations) {
    const found = customers.get(org.organizationId) ?? [];
    if (found.length !== 1) out.push(`${org.organizationId}: ${found.length} Stripe customers, expected 1`);
    const orgClocks = clocks.filter((c) => c.name === `org ${org.organizationId}`);
    if (orgClocks.length > 1) out.push(`${org.organizationId}: ${orgClocks.length} test clocks`);
    for (const customer of found) {
      const subs: Stripe.Subscription[] = [];
      for await (const s of stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 100 }))
        subs.push(s);
      const expected = org.subscriptions ?? 1;
      if (subs.length !== expected)
        out.push(`${org.organizationId}: ${subs.length} Stripe subscriptions, expected ${expected}`);
      const invoices: Stripe.Invoice[] = [];
      for await (const i of stripe.invoices.list({ customer: customer.id, limit: 100, expand: ['data.payments'] }))
        invoices.push(i);
      out.push(...noDoubleCharge(org, invoices));
    }
  }
  return out;
}

function noDoubleCharge(org: OrganizationExpectation, invoices: Stripe.Invoice[]): string[] {
  const out: string[] = [];
  const perPeriod = new Map<string, number>();
  let upgradesPaid = 0;
  for (const invoice of invoices) {
    const paidAttempts = (invoice.payments?.data ?? []).filter((p) => p.status === 'paid').length;
    if (paidAttempts > 1) out.push(`${org.organizationId}: invoice ${invoice.id} paid ${paidAttempts} times`);
    if (invoice.amount_paid > invoice.amount_due)
      out.push(
        `${org.organizationId}: invoice ${invoice.id} collected ${invoice.amount_paid} of ${invoice.amount_due}`,
      );
    const sub = invoice.parent?.subscription_details?.subscription;
    const subId = typeof sub === 'string' ? sub : sub?.id;
    if (invoice.billing_reason === 'subscription_create' || invoice.billing_reason === 'subscription_cycle') {
      const key = `${subId}:${invoice.billing_reason}:${invoice.period_start}`;
      perPeriod.set(key, (perPeriod.get(key) ?? 0) + 1);
    }
    if (invoice.billing_reason === 'subscription_update' && invoice.status === 'paid') upgradesPaid += 1;
  }
  for (const [key, n] of perPeriod) if (n > 1) out.push(`${org.organizationId}: ${n} invoices for one period (${key})`);
  if (upgradesPaid > (org.upgrades ?? 0))
    out.push(`${org.organizationId}: ${upgradesPaid} proration invoices paid for ${org.upgrades ?? 0} upgrades`);
  return out;
}

/**
 * Polls until every bounded-time promise holds, then reports what still does not at the deadline:
 * webhooks delivered with a 2xx are exactly the inbox, all relayed; each organization's read model
 * (subscription through the API, invoice mirror) equals Stripe's.
 */
async function convergence(
  stack: InvariantStack,
  customers: Map<string, Stripe.Customer[]>,
  deadline: number,
  deadLettered: ReadonlySet<string>,
): Promise<string[]> {
  const tokens = new Map<string, string>();
  for (const org of customers.keys()) tokens.set(org, await userToken({ org }));
  for (;;) {
    const found = [
      ...(await inboxMatchesDeliveries(stack, deadLettered)),
      ...(await readModelsMatchStripe(stack, customers, tokens)),
    ];
    if (found.length === 0 || Date.now() > deadline)
      return found.map((v) => `${v} (after the ${Math.round((deadline - Date.now()) / 1000)} s left of the bound)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function inboxMatchesDeliveries(stack: InvariantStack, deadLettered: ReadonlySet<string>): Promise<string[]> {
  const { dispatcher } = stack.sim;
  if (!dispatcher.idle()) return ['the simulator still has webhook deliveries pending'];
  const delivered = new Set(
    dispatcher
      .deliveries()
      .filter((d) => d.status === 'delivered')
      .map((d) => d.eventId),
  );
  const rows = await stack.t.db.selectFrom('stripe_events').select(['id', 'relay_status']).execute();
  const inbox = new Set(rows.map((r) => r.id));
  const out: string[] = [];
  const missing = [...delivered].filter((id) => !inbox.has(id));
  const unknown = [...inbox].filter((id) => !delivered.has(id) && !stack.injectedEvents?.has(id));
  if (missing.length > 0)
    out.push(
      `${missing.length} webhooks acknowledged with 2xx but not in the inbox: ${missing.slice(0, 5).join(', ')}`,
    );
  if (unknown.length > 0)
    out.push(`${unknown.length} inbox rows the simulator never delivered: ${unknown.slice(0, 5).join(', ')}`);
  const pending = rows.filter((r) => r.relay_status === 'pending');
  if (pending.length > 0) out.push(`${pending.length} inbox events not yet relayed`);
  // A dead letter is an event a workflow never heard of: only the scenario's own poison may be one.
  const dead = rows.filter((r) => r.relay_status === 'dead_lettered').map((r) => r.id);
  const unexpected = dead.filter((id) => !deadLettered.has(id));
  if (unexpected.length > 0)
    out.push(`${unexpected.length} inbox events dead-lettered: ${unexpected.slice(0, 5).join(', ')}`);
  const notYet = [...deadLettered].filter((id) => !dead.includes(id));
  if (notYet.length > 0) out.push(`poison events not dead-lettered: ${notYet.join(', ')}`);
  return out;
}

type ApiSubscription = {
  subscription: {
    plan: string;
    pendingPlan: string | null;
    status: string;
    cancelAtPeriodEnd: boolean;
    currentPeriodEnd: string | null;
  } | null;
};

async function readModelsMatchStripe(
  stack: InvariantStack,
  customers: Map<string, Stripe.Customer[]>,
  tokens: Map<string, string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const [org, [customer]] of customers) {
    if (!customer) continue;
    const [latest] = (await stack.stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 1 })).data;
    const call = apiClient(stack, tokens.get(org) ?? '');
    const { status, body } = await call<ApiSubscription>('GET', '/subscription');
    if (status !== 200) {
      out.push(`${org}: GET /subscription answered ${status}`);
      continue;
    }
    const ours = body.subscription;
    if (latest) {
      const item = latest.items.data[0];
      const stripeView = {
        status: fromStripeStatus(latest.status),
        plan: latest.status === 'canceled' ? 'free' : planForLookupKey(item?.price.lookup_key),
        cancelAtPeriodEnd: latest.cancel_at_period_end,
        periodEnd: new Date((item?.current_period_end ?? 0) * 1000).toISOString(),
      };
      const ourView = ours && {
        status: ours.status,
        plan: ours.pendingPlan ?? ours.plan,
        cancelAtPeriodEnd: ours.cancelAtPeriodEnd,
        periodEnd: ours.currentPeriodEnd,
      };
      if (JSON.stringify(ourView) !== JSON.stringify(stripeView))
        out.push(`${org}: read model ${JSON.stringify(ourView)} ≠ Stripe ${JSON.stringify(stripeView)}`);
    }
    const stripeInvoices: string[] = [];
    for await (const i of stack.stripe.invoices.list({ customer: customer.id, limit: 100 }))
      stripeInvoices.push(`${i.id}:${i.status}:${i.amount_paid}`);
    const mirrored = await stack.t.db
      .selectFrom('invoices')
      .select(['stripe_invoice_id', 'status', 'amount_paid'])
      .where('organization_id', '=', org)
      .execute();
    const mirror = mirrored.map((i) => `${i.stripe_invoice_id}:${i.status}:${i.amount_paid}`);
    if (JSON.stringify(mirror.sort()) !== JSON.stringify(stripeInvoices.sort()))
      out.push(`${org}: invoice mirror [${mirror.join(' ')}] ≠ Stripe [${stripeInvoices.join(' ')}]`);
  }
  return out;
}

/** Every accepted usage event counted once: the dedupe ledger and the daily counters agree with what was sent. */
async function usageCountedOnce(db: Db, expectations: UsageExpectation[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of expectations) {
    const keys = await db
      .selectFrom('usage_event_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', e.organizationId)
      .executeTakeFirstOrThrow();
    const daily = await db
      .selectFrom('usage_daily')
      .select((eb) => eb.fn.sum<number>('quantity').as('q'))
      .where('organization_id', '=', e.organizationId)
      .where('metric', '=', e.metric)
      .executeTakeFirstOrThrow();
    if (Number(keys.n) !== e.events)
      out.push(`${e.organizationId}: ${keys.n} usage events recorded, ${e.events} accepted`);
    if (Number(daily.q ?? 0) !== e.quantity)
      out.push(`${e.organizationId}/${e.metric}: usage ${daily.q ?? 0}, expected ${e.quantity}`);
  }
  return out;
}

/** A workflow seen stuck twice, a few seconds apart (describe and history are two reads, not one snapshot). */
async function stuckWorkflows(client: Client): Promise<string[]> {
  const first = await noWorkflowStuck(client);
  if (first.length === 0) return first;
  await new Promise((r) => setTimeout(r, 3_000));
  const again = await noWorkflowStuck(client);
  const key = (v: string) => v.replace(/ \(history ends .*\)$/, '');
  return again.filter((v) => first.some((f) => key(f) === key(v)));
}

/**
 * No workflow is stuck: every running one waits on something that will wake it (a timer, an activity, a
 * workflow task), none failed or timed out, and no workflow task failed (a bug or non-determinism).
 */
async function noWorkflowStuck(client: Client): Promise<string[]> {
  const out: string[] = [];
  for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Failed" OR ExecutionStatus="TimedOut"' })) {
    out.push(`workflow ${wf.workflowId} ended ${wf.status.name}`);
  }
  for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    const handle = client.workflow.getHandle(wf.workflowId, wf.runId);
    const [{ raw }, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const events = history.events ?? [];
    const timers = new Set<string>();
    for (const e of events) {
      const started = e.timerStartedEventAttributes?.timerId;
      if (started) timers.add(started);
      const ended = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
      if (ended) timers.delete(ended);
    }
    const waitsOn = (raw.pendingActivities?.length ?? 0) + (raw.pendingWorkflowTask ? 1 : 0) + timers.size;
    if (waitsOn === 0) {
      const tail = events
        .slice(-6)
        .map((e) => eventName(e))
        .join(' → ');
      out.push(
        `workflow ${wf.workflowId} is running with no pending timer, activity or workflow task (history ends ${tail})`,
      );
    }
    const failedTasks = events.filter((e) => e.workflowTaskFailedEventAttributes).length;
    if (failedTasks > 0) out.push(`workflow ${wf.workflowId} had ${failedTasks} failed workflow tasks`);
  }
  return out;
}

/** The event's kind from whichever attributes it carries (e.g. timerFired). */
function eventName(event: object): string {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]);
  return key ? key.replace(/EventAttributes$/, '') : 'unknown';
}
