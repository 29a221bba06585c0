import type Stripe from 'stripe';
import { planForLookupKey } from '../../src/domain/plans';
import type { Chapter } from './story';
import { customerOf } from './story/stripe-side';
import { done, notYet, waitFor } from './wait';

export interface SummaryRow {
  org: string;
  plan: string;
  status: string;
  stripeStatus: string;
  paid: number;
  unpaid: number;
  emails: Record<string, number>;
  /** Disagreements between the story, the read model and Stripe; empty = consistent. */
  problems: string[];
}

const UNPAID = new Set(['open', 'uncollectible']);

/** One organization as the read model, Stripe (the simulator) and the mail sink see it, with every disagreement named. */
async function observe(chapter: Chapter, stripe: Stripe): Promise<SummaryRow> {
  const { org } = chapter;
  const [state, invoices, mails, customer] = await Promise.all([
    org.api.getSubscription(),
    org.api.listInvoices(),
    org.mailbox.list(),
    customerOf(stripe, org),
  ]);
  const [stripeSub] = (
    await stripe.subscriptions.list({
      customer: customer.id,
      status: 'all',
      limit: 1,
      expand: ['data.items.data.price'],
    })
  ).data;
  const stripeInvoices = (await stripe.invoices.list({ customer: customer.id, limit: 100 })).data;
  const emails: Record<string, number> = {};
  for (const m of mails) emails[m.kind] = (emails[m.kind] ?? 0) + 1;

  const problems: string[] = [];
  const sub = state.subscription;
  if (!sub || !stripeSub)
    problems.push(`read model has ${sub ? 'a' : 'no'} subscription, Stripe has ${stripeSub ? 'one' : 'none'}`);
  if (sub && stripeSub) {
    if (sub.status !== stripeSub.status) problems.push(`status: read model ${sub.status}, Stripe ${stripeSub.status}`);
    // An ended subscription keeps Stripe's flag, while the read model clears it (nothing is pending any more).
    if (sub.status !== 'canceled' && sub.cancelAtPeriodEnd !== stripeSub.cancel_at_period_end)
      problems.push(
        `cancel at period end: read model ${sub.cancelAtPeriodEnd}, Stripe ${stripeSub.cancel_at_period_end}`,
      );
    const price = stripeSub.items.data[0]?.price;
    // A contract's own price has no lookup key; its metadata names the plan (src/stripe/snapshots.ts).
    const stripePlan =
      typeof price === 'object'
        ? (planForLookupKey(price.lookup_key) ?? (price.metadata?.plan === 'enterprise' ? 'enterprise' : null))
        : null;
    if (sub.status !== 'canceled' && sub.plan !== stripePlan)
      problems.push(`plan: read model ${sub.plan}, Stripe price of ${stripePlan ?? 'no catalog plan'}`);
  }
  const mirrored = new Map(invoices.map((i) => [i.stripeInvoiceId, i.status]));
  for (const inv of stripeInvoices) {
    if (inv.status === 'draft') continue;
    const seen = mirrored.get(inv.id ?? '');
    if (seen !== inv.status) problems.push(`invoice ${inv.id}: Stripe ${inv.status}, read model ${seen ?? 'missing'}`);
  }

  const expected = chapter.expected();
  const row: SummaryRow = {
    org: org.name,
    plan: state.effectivePlan,
    status: sub?.status ?? 'none',
    stripeStatus: stripeSub?.status ?? 'none',
    paid: invoices.filter((i) => i.status === 'paid').length,
    unpaid: invoices.filter((i) => UNPAID.has(i.status)).length,
    emails,
    problems,
  };
  if (row.plan !== expected.effectivePlan)
    problems.push(`plan: expected ${expected.effectivePlan}, read model ${row.plan}`);
  if (row.status !== expected.status) problems.push(`status: expected ${expected.status}, read model ${row.status}`);
  if (row.paid !== expected.paidInvoices)
    problems.push(`paid invoices: expected ${expected.paidInvoices}, read model ${row.paid}`);
  if (row.unpaid !== expected.unpaidInvoices)
    problems.push(`unpaid invoices: expected ${expected.unpaidInvoices}, read model ${row.unpaid}`);
  for (const [kind, atLeast] of Object.entries(expected.emails)) {
    if ((emails[kind] ?? 0) < atLeast)
      problems.push(`emails: expected at least ${atLeast} ${kind}, mail sink has ${emails[kind] ?? 0}`);
  }
  return row;
}

/**
 * The summary row of a chapter once the read model, Stripe and the story agree. Webhook mirrors are
 * eventually consistent, so disagreement is re-checked for a few seconds before it is reported.
 */
export async function summarize(chapter: Chapter, stripe: Stripe, timeoutMs = 20_000): Promise<SummaryRow> {
  let last: SummaryRow | null = null;
  try {
    return await waitFor(
      `${chapter.org.name}: read model, Stripe and story to agree`,
      async () => {
        last = await observe(chapter, stripe);
        return last.problems.length === 0 ? done(last) : notYet(last.problems.join('; '));
      },
      { timeoutMs, intervalMs: 500 },
    );
  } catch (err) {
    if (last) return last;
    const message = err instanceof Error ? err.message : String(err);
    return {
      org: chapter.org.name,
      plan: '?',
      status: '?',
      stripeStatus: '?',
      paid: 0,
      unpaid: 0,
      emails: {},
      problems: [message],
    };
  }
}
