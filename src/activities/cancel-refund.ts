import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import { classifyStripeError } from '../stripe/errors';
import { unusedTimeRefund, type PaidLine } from '../domain/cancellation';
import { refundableOn, refundInvoice } from '../refunds/refund-invoice';
import type { ActivityDeps } from './deps';

/** Who the audit rows of these credit notes name. */
export const CANCEL_REFUND_ACTOR = 'policy:cancel_refund';

/**
 * CANCEL_REFUND=prorated: after an immediate cancel, the unused time of the paid period goes back to the card that
 * paid it, through a credit note per paid invoice that bought part of that time (the renewal, and the proration
 * invoice of a change made since), each with an audit row and one credit-note email (refunds/refund-invoice.ts).
 * Idempotent: the credit note's Stripe idempotency key names the cancel's step, and what is refundable is what was
 * paid less the credit notes already issued, so a retried activity refunds once. An invoice the read model has not
 * caught up with yet fails the attempt, which Temporal retries.
 */
export async function refundUnusedTime(
  deps: Pick<ActivityDeps, 'stripe' | 'db' | 'notifier'>,
  input: { subscriptionId: string; canceledAt: number; step: string },
): Promise<{ refunded: number; creditNotes: string[] }> {
  const { stripe, db } = deps;
  // Every paid invoice of the subscription, newest first, back to a year and a day before the cancel: a yearly
  // renewal and however many prorations of changes made since (each seat bought is invoiced at once).
  const since = Math.floor((input.canceledAt - 366 * 86_400_000) / 1000);
  const invoices: Stripe.Invoice[] = [];
  for await (const invoice of stripe.invoices.list({
    subscription: input.subscriptionId,
    status: 'paid',
    created: { gte: since },
    limit: 100,
  }))
    invoices.push(invoice);
  const meteredPrices = new Map<string, boolean>();
  const isMetered = async (price: string | null | undefined) => {
    if (!price) return false;
    if (!meteredPrices.has(price))
      meteredPrices.set(price, (await stripe.prices.retrieve(price)).recurring?.usage_type === 'metered');
    return meteredPrices.get(price) === true;
  };
  let refunded = 0;
  const creditNotes: string[] = [];
  for (const invoice of invoices) {
    if (!invoice.id) continue;
    const lines: PaidLine[] = [];
    for (const line of await allLines(stripe, invoice)) {
      lines.push({
        amount: line.amount,
        periodStart: line.period.start * 1000,
        periodEnd: line.period.end * 1000,
        metered: await isMetered(priceOf(line)),
      });
    }
    const refundable = await refundableOn(db, invoice.id);
    if (refundable === null) throw new Error(`invoice ${invoice.id} is not in the read model yet`);
    const amount = unusedTimeRefund({
      lines,
      linesTotal: invoice.subtotal,
      amountPaid: invoice.amount_paid,
      refundable,
      canceledAt: input.canceledAt,
    });
    if (amount <= 0) continue;
    const note = await refundInvoice(deps, {
      stripeInvoiceId: invoice.id,
      amount,
      reason: 'order_change',
      memo: 'Unused time of the canceled subscription',
      actor: CANCEL_REFUND_ACTOR,
      idempotencyKey: `cancel_refund:${input.subscriptionId}:${input.step}`,
    });
    refunded += note.refundedAmount;
    creditNotes.push(note.stripeCreditNoteId);
  }
  return { refunded, creditNotes };
}

function priceOf(line: Stripe.InvoiceLineItem): string | null {
  const price = line.pricing?.price_details?.price;
  return typeof price === 'string' ? price : (price?.id ?? null);
}

async function allLines(stripe: Stripe, invoice: Stripe.Invoice): Promise<Stripe.InvoiceLineItem[]> {
  if (!invoice.lines.has_more) return invoice.lines.data;
  const lines: Stripe.InvoiceLineItem[] = [];
  for await (const line of stripe.invoices.listLineItems(invoice.id as string, { limit: 100 })) lines.push(line);
  return lines;
}

/**
 * Attempts of the cancel's activity that may still fail on the refund (the workflow gives a Stripe write six,
 * workflows/activity-proxies.ts); the last one gives way instead, so the cancel itself always succeeds.
 */
export const REFUND_ATTEMPTS = 5;

/**
 * Runs the refund of unused time after the cancel: a transient failure (Stripe 5xx or 429, the network, the read
 * model not caught up) fails the attempt so Temporal retries it (the cancel is a no-op the second time, the credit
 * notes idempotent); a refund Stripe refuses, or one still failing on the last attempt, is logged as an error for
 * operators (who refund with `billing refund-invoice`) and the cancel stands, never reported as failed.
 */
export async function refundOrReport(
  refund: () => Promise<unknown>,
  ids: { subscriptionId: string; step: string },
): Promise<void> {
  try {
    await refund();
  } catch (err) {
    const failure = classifyStripeError(err);
    const attempt = currentAttempt();
    if ((failure.retryable || failure.code === 'UNKNOWN_ERROR') && attempt < REFUND_ATTEMPTS) throw err;
    const fields = { ...ids, attempt, error: failure.message, stripeCode: failure.stripeCode };
    const message = 'refund of unused time failed; the cancel stands: refund with `billing refund-invoice`';
    try {
      Context.current().log.error(message, fields);
    } catch {
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...fields })}\n`);
    }
  }
}

/** The activity's attempt (1-based); outside an activity (a direct call), the last one. */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return REFUND_ATTEMPTS;
  }
}
