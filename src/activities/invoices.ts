import { classifyStripeError } from '../stripe/errors';
import { INVOICE_EXPAND, toInvoiceSnapshot } from '../stripe/snapshots';
import type { ActivityDeps } from './deps';
import { idempotencyKey } from '../domain/subscription/stripe';
import { createPaymentMetrics } from './metrics';
import { followsWorkflowClock, followWorkflowClock } from './test-clock';
import type {
  FetchInvoiceInput,
  InvoiceActionInput,
  InvoiceSnapshot,
  PayInvoiceInput,
  PayInvoiceResult,
} from './types';

export function invoiceActivities(deps: ActivityDeps) {
  const { stripe } = deps;
  const metrics = createPaymentMetrics(deps.registry);
  const retrieve = async (invoiceId: string) => stripe.invoices.retrieve(invoiceId, { expand: INVOICE_EXPAND });

  return {
    async fetchInvoice({ invoiceId, asOf }: FetchInvoiceInput): Promise<InvoiceSnapshot> {
      if (followsWorkflowClock(deps)) {
        const invoice = await stripe.invoices.retrieve(invoiceId);
        if (typeof invoice.customer === 'string') await followWorkflowClock(deps, invoice.customer, asOf);
      }
      return toInvoiceSnapshot(await retrieve(invoiceId));
    },

    /**
     * Pays an open invoice off-session. Only open invoices are paid (a paid one is reported, never charged
     * again); the key is invoice + attempt, so a retried activity replays Stripe's first answer. A decline is
     * an outcome the workflow's dunning handles, not an error.
     */
    async payInvoice({ invoiceId, attempt, asOf }: PayInvoiceInput): Promise<PayInvoiceResult> {
      const before = await retrieve(invoiceId);
      if (typeof before.customer === 'string') await followWorkflowClock(deps, before.customer, asOf);
      if (before.status !== 'open') {
        metrics.payment('not_open');
        return { outcome: 'not_open', invoice: toInvoiceSnapshot(before) };
      }
      try {
        await stripe.invoices.pay(
          invoiceId,
          { off_session: true },
          { idempotencyKey: idempotencyKey.payInvoice(invoiceId, attempt) },
        );
        metrics.payment('paid');
        return { outcome: 'paid', invoice: toInvoiceSnapshot(await retrieve(invoiceId)) };
      } catch (err) {
        const c = classifyStripeError(err);
        if (c.code !== 'CARD_DECLINED') throw err;
        metrics.payment('declined');
        const error = { code: c.stripeCode, declineCode: c.declineCode, adviceCode: c.adviceCode, message: c.message };
        return { outcome: 'declined', error, invoice: toInvoiceSnapshot(await retrieve(invoiceId), error) };
      }
    },

    async markInvoiceUncollectible({ invoiceId }: InvoiceActionInput): Promise<InvoiceSnapshot> {
      const invoice = await retrieve(invoiceId);
      if (invoice.status !== 'open') return toInvoiceSnapshot(invoice);
      return toInvoiceSnapshot(await stripe.invoices.markUncollectible(invoiceId, { expand: INVOICE_EXPAND }));
    },

    async voidInvoice({ invoiceId }: InvoiceActionInput): Promise<InvoiceSnapshot> {
      const invoice = await retrieve(invoiceId);
      if (invoice.status !== 'open') return toInvoiceSnapshot(invoice);
      return toInvoiceSnapshot(await stripe.invoices.voidInvoice(invoiceId, { expand: INVOICE_EXPAND }));
    },
  };
}
