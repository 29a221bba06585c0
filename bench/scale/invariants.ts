import type Stripe from 'stripe';
import type { Db } from '../../src/db/database';
import { expectedOutcome, type Org, type YearPlan } from './population';

export interface InvariantReport {
  checkedOrgs: number;
  violations: string[];
  /** Counts on Stripe's side (the simulator), for the summary. */
  stripe: { customers: number; subscriptions: number; paidInvoices: number; uncollectible: number };
  webhookInbox: { total: number; pending: number };
}

interface InvoiceTally {
  paidCycles: number;
  paidProrations: number;
  uncollectible: number;
}

const tally = (invoices: { reason: string | null; status: string | null; paid: number }[]): InvoiceTally => ({
  paidCycles: invoices.filter((i) => i.reason === 'subscription_cycle' && i.status === 'paid' && i.paid > 0).length,
  paidProrations: invoices.filter((i) => i.reason === 'subscription_update' && i.status === 'paid' && i.paid > 0)
    .length,
  uncollectible: invoices.filter((i) => i.status === 'uncollectible').length,
});

const planOf = (sub: Stripe.Subscription): string => {
  const key = sub.items.data.map((i) => i.price.lookup_key ?? '').find((k) => /^billing_\w+_monthly$/.test(k)) ?? '';
  return key.replace(/^billing_/, '').replace(/_monthly$/, '');
};

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/**
 * After the year: Stripe (the simulator, read through its public API) and the read model agree for every
 * organization, each organization has exactly one customer and one subscription, no period was charged twice,
 * every organization ended where its scenario says, and every stored webhook was relayed.
 */
export async function checkInvariants(
  deps: { db: Db; stripe: Stripe },
  orgs: Org[],
  plan: YearPlan,
): Promise<InvariantReport> {
  const { db, stripe } = deps;
  const violations: string[] = [];
  const customers: Stripe.Customer[] = [];
  for await (const c of stripe.customers.list({ limit: 100 })) customers.push(c);
  const subscriptions: Stripe.Subscription[] = [];
  for await (const s of stripe.subscriptions.list({ status: 'all', limit: 100 })) subscriptions.push(s);
  const invoices: Stripe.Invoice[] = [];
  for await (const i of stripe.invoices.list({ limit: 100 })) invoices.push(i);

  const customersByOrg = groupBy(customers, (c) => c.metadata.organization_id ?? '');
  const subsByCustomer = groupBy(subscriptions, (s) => (typeof s.customer === 'string' ? s.customer : s.customer.id));
  const invoicesByCustomer = groupBy(invoices, (i) =>
    typeof i.customer === 'string' ? i.customer : (i.customer?.id ?? ''),
  );
  const rows = new Map((await db.selectFrom('subscriptions').selectAll().execute()).map((r) => [r.organization_id, r]));
  const rmInvoices = groupBy(
    await db.selectFrom('invoices').select(['organization_id', 'status', 'billing_reason', 'amount_paid']).execute(),
    (i) => i.organization_id,
  );

  for (const org of orgs) {
    const fail = (what: string): void => void violations.push(`${org.organizationId} (${org.scenario}): ${what}`);
    const expected = expectedOutcome(org, plan);
    const orgCustomers = customersByOrg.get(org.organizationId) ?? [];
    if (orgCustomers.length !== 1) fail(`${orgCustomers.length} Stripe customers (want 1)`);
    const customer = orgCustomers[0];
    if (!customer) continue;
    const subs = subsByCustomer.get(customer.id) ?? [];
    if (subs.length !== 1) fail(`${subs.length} Stripe subscriptions (want 1)`);
    const sub = subs[0];
    const row = rows.get(org.organizationId);
    if (!sub || !row) {
      fail(`missing ${sub ? 'read-model row' : 'Stripe subscription'}`);
      continue;
    }
    const periodEnd = (sub.items.data[0]?.current_period_end ?? 0) * 1000;
    const mismatch = (field: string, stripeValue: unknown, readModel: unknown): void => {
      if (stripeValue !== readModel) fail(`${field}: Stripe ${String(stripeValue)} ≠ read model ${String(readModel)}`);
    };
    mismatch('subscription id', sub.id, row.stripe_subscription_id);
    mismatch('status', sub.status, row.status);
    if (sub.status === 'canceled') {
      // An ended subscription leaves the organization on free; Stripe keeps the ended price and flags.
      if (row.plan !== 'free') fail(`canceled, but the read model shows plan ${row.plan} (want free)`);
    } else {
      mismatch('plan', planOf(sub), row.plan);
      mismatch('cancel_at_period_end', sub.cancel_at_period_end, row.cancel_at_period_end);
      mismatch(
        'current period end',
        periodEnd,
        row.current_period_end ? new Date(row.current_period_end).getTime() : null,
      );
    }
    if (sub.status !== expected.status) fail(`ended ${sub.status}, the scenario expects ${expected.status}`);
    if (planOf(sub) !== expected.plan) fail(`on ${planOf(sub)}, the scenario expects ${expected.plan}`);

    const stripeInvoices = invoicesByCustomer.get(customer.id) ?? [];
    const onStripe = tally(
      stripeInvoices.map((i) => ({ reason: i.billing_reason, status: i.status, paid: i.amount_paid })),
    );
    const inReadModel = tally(
      (rmInvoices.get(org.organizationId) ?? []).map((i) => ({
        reason: i.billing_reason,
        status: i.status,
        paid: i.amount_paid,
      })),
    );
    for (const k of ['paidCycles', 'paidProrations', 'uncollectible'] as const) {
      if (onStripe[k] !== expected[k]) fail(`${k}: Stripe has ${onStripe[k]}, the scenario expects ${expected[k]}`);
      if (inReadModel[k] !== onStripe[k]) fail(`${k}: read model has ${inReadModel[k]}, Stripe ${onStripe[k]}`);
    }
    const paidPeriods = stripeInvoices
      .filter((i) => i.billing_reason === 'subscription_cycle' && i.status === 'paid')
      .map((i) => i.lines.data.find((l) => l.amount > 0)?.period.start ?? 0);
    if (new Set(paidPeriods).size !== paidPeriods.length)
      fail(`a billing period was charged twice (periods ${paidPeriods.join(', ')})`);
  }

  const inbox = await db.selectFrom('stripe_events').select(['relay_status']).execute();
  const pending = inbox.filter((e) => e.relay_status === 'pending').length;
  if (pending > 0) violations.push(`${pending} stored webhook events never relayed`);
  return {
    checkedOrgs: orgs.length,
    violations,
    stripe: {
      customers: customers.length,
      subscriptions: subscriptions.length,
      paidInvoices: invoices.filter((i) => i.status === 'paid' && i.amount_paid > 0).length,
      uncollectible: invoices.filter((i) => i.status === 'uncollectible').length,
    },
    webhookInbox: { total: inbox.length, pending },
  };
}
