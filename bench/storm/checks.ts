import type Stripe from 'stripe';
import type { Db } from '../../src/db/database';
import type { StormSub } from './settle';

export interface StormCheck {
  violations: string[];
  counted: {
    cycleInvoices: number;
    paidCycleInvoices: number;
    succeededCharges: number;
    receipts: number;
    paymentFailedEmails: number;
    mailSinkMessages: number;
    readModelRows: number;
  };
}

interface SinkMessage {
  to: string[];
  envelope: { rcptTo: string[] };
  subject: string;
}

const customerOf = (c: string | { id: string } | null | undefined): string =>
  typeof c === 'string' ? c : (c?.id ?? '');

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/**
 * Lost or duplicated after the storm, each side read through its own interface: Stripe (the simulator's public
 * API), the read model, the email outbox and the mail sink (what was really delivered). Per subscription: exactly
 * one cycle invoice in Stripe (paid for a good card, not paid for a failing one) and the same invoices in the read
 * model; as many succeeded charges as paid invoices with an amount; one read-model row whose status is Stripe's;
 * one receipt (good card) or at least one payment-failed email and no receipt (failing card) enqueued since the
 * storm; and every email the outbox marked sent since the storm delivered exactly once.
 */
export async function checkStorm(
  deps: { db: Db; stripe: Stripe; mailUrl: string; mailCapacity: number },
  subs: readonly StormSub[],
  stormStartMs: number,
): Promise<StormCheck> {
  const { db, stripe } = deps;
  const violations: string[] = [];
  const invoices: Stripe.Invoice[] = [];
  for await (const i of stripe.invoices.list({ limit: 100 })) invoices.push(i);
  const intents: Stripe.PaymentIntent[] = [];
  for await (const p of stripe.paymentIntents.list({ limit: 100 })) intents.push(p);
  const subscriptions: Stripe.Subscription[] = [];
  for await (const s of stripe.subscriptions.list({ status: 'all', limit: 100 })) subscriptions.push(s);

  const invoicesBy = new Map<string, Stripe.Invoice[]>();
  for (const i of invoices)
    invoicesBy.set(customerOf(i.customer), [...(invoicesBy.get(customerOf(i.customer)) ?? []), i]);
  const chargesBy = countBy(
    intents.filter((p) => p.status === 'succeeded'),
    (p) => customerOf(p.customer),
  );
  const stripeSubsBy = new Map<string, Stripe.Subscription[]>();
  for (const s of subscriptions)
    stripeSubsBy.set(customerOf(s.customer), [...(stripeSubsBy.get(customerOf(s.customer)) ?? []), s]);
  const rows = await db
    .selectFrom('subscriptions')
    .select(['organization_id', 'status', 'stripe_subscription_id'])
    .execute();
  const rowsBy = countBy(rows, (r) => r.organization_id);
  const rowOf = new Map(rows.map((r) => [r.organization_id, r]));
  const rmInvoices = await db
    .selectFrom('invoices')
    .select(['organization_id', 'stripe_invoice_id', 'status', 'billing_reason'])
    .execute();
  const rmInvoicesBy = new Map<string, typeof rmInvoices>();
  for (const i of rmInvoices) rmInvoicesBy.set(i.organization_id, [...(rmInvoicesBy.get(i.organization_id) ?? []), i]);
  const outbox = await db
    .selectFrom('email_outbox')
    .select(['organization_id', 'kind', 'status', 'to_address', 'subject', 'created_at', 'sent_at'])
    .where('created_at', '>=', new Date(stormStartMs))
    .execute();
  const outboxBy = new Map<string, typeof outbox>();
  for (const m of outbox) outboxBy.set(m.organization_id, [...(outboxBy.get(m.organization_id) ?? []), m]);

  let paidCycleInvoices = 0;
  let cycleInvoices = 0;
  let succeededCharges = 0;
  for (const sub of subs) {
    const fail = (what: string): void =>
      void violations.push(`${sub.organizationId}${sub.failing ? ' (failing card)' : ''}: ${what}`);
    const mine = invoicesBy.get(sub.customerId) ?? [];
    const cycles = mine.filter((i) => i.billing_reason === 'subscription_cycle');
    cycleInvoices += cycles.length;
    if (cycles.length !== 1) fail(`${cycles.length} cycle invoices in Stripe (want 1)`);
    const paidCycles = cycles.filter((i) => i.status === 'paid').length;
    paidCycleInvoices += paidCycles;
    if (!sub.failing && paidCycles !== 1) fail(`${paidCycles} paid cycle invoices in Stripe (want 1)`);
    if (sub.failing && paidCycles !== 0) fail(`a failing card's cycle invoice was paid`);
    const paidWithAmount = mine.filter((i) => i.status === 'paid' && i.amount_paid > 0).length;
    const charges = chargesBy.get(sub.customerId) ?? 0;
    succeededCharges += charges;
    if (charges !== paidWithAmount) fail(`${charges} succeeded charges for ${paidWithAmount} paid invoices`);

    const inReadModel = rmInvoicesBy.get(sub.organizationId) ?? [];
    const key = (id: string, status: string | null): string => `${id}:${status ?? ''}`;
    const stripeSide = new Set(mine.map((i) => key(i.id ?? '', i.status)));
    const rmSide = new Set(inReadModel.map((i) => key(i.stripe_invoice_id, i.status)));
    if (inReadModel.length !== mine.length || [...stripeSide].some((k) => !rmSide.has(k)))
      fail(
        `invoices differ: Stripe ${[...stripeSide].join(', ')}; read model ${[...rmSide].join(', ')} (${inReadModel.length} rows)`,
      );

    const stripeSubs = stripeSubsBy.get(sub.customerId) ?? [];
    if (stripeSubs.length !== 1) fail(`${stripeSubs.length} Stripe subscriptions (want 1)`);
    const rowCount = rowsBy.get(sub.organizationId) ?? 0;
    if (rowCount !== 1) fail(`${rowCount} read-model rows (want 1)`);
    const row = rowOf.get(sub.organizationId);
    const stripeSub = stripeSubs[0];
    if (row && stripeSub && (row.status !== stripeSub.status || row.stripe_subscription_id !== stripeSub.id))
      fail(`read model ${row.status} ${row.stripe_subscription_id ?? ''} ≠ Stripe ${stripeSub.status} ${stripeSub.id}`);

    const mails = outboxBy.get(sub.organizationId) ?? [];
    const receipts = mails.filter((m) => m.kind === 'invoice_receipt').length;
    const failedMails = mails.filter((m) => m.kind === 'payment_failed').length;
    if (!sub.failing && receipts !== 1) fail(`${receipts} receipt emails (want 1)`);
    if (sub.failing && (receipts !== 0 || failedMails < 1))
      fail(`${receipts} receipts and ${failedMails} payment-failed emails (want 0 and ≥ 1)`);
    const unsent = mails.filter((m) => m.status !== 'sent');
    if (unsent.length)
      fail(`${unsent.length} emails not sent (${unsent.map((m) => `${m.kind} ${m.status}`).join(', ')})`);
  }

  // Delivered exactly once: the sink (emptied when the storm began) against the outbox rows sent since then.
  const res = await fetch(`${deps.mailUrl}/messages`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${deps.mailUrl}/messages: ${res.status}`);
  const messages = (await res.json()) as SinkMessage[];
  // A full window has dropped its oldest messages: what is missing then says nothing about the service.
  if (messages.length >= deps.mailCapacity)
    violations.push(`the mail sink holds ${messages.length} messages, its whole window: deliveries cannot be checked`);
  const delivered = countBy(messages, (m) => `${(m.envelope.rcptTo[0] ?? m.to[0] ?? '').toLowerCase()}|${m.subject}`);
  const sent = countBy(
    outbox.filter((m) => m.status === 'sent' && m.sent_at && new Date(m.sent_at).getTime() >= stormStartMs),
    (m) => `${(m.to_address ?? '').toLowerCase()}|${m.subject}`,
  );
  for (const [k, n] of sent)
    if ((delivered.get(k) ?? 0) !== n)
      violations.push(`email ${k}: outbox sent ${n}, mail sink received ${delivered.get(k) ?? 0}`);
  for (const [k, n] of delivered)
    if (!sent.has(k)) violations.push(`email ${k}: mail sink received ${n}, not in the outbox`);

  return {
    violations,
    counted: {
      cycleInvoices,
      paidCycleInvoices,
      succeededCharges,
      receipts: outbox.filter((m) => m.kind === 'invoice_receipt').length,
      paymentFailedEmails: outbox.filter((m) => m.kind === 'payment_failed').length,
      mailSinkMessages: messages.length,
      readModelRows: rows.length,
    },
  };
}
