import { RECONCILE_EVENT_PREFIX } from '../workflows/messages';
import { findInvoice, upsertInvoice } from '../db/read-models/invoices';
import { StripeInvoiceSchema, toInvoiceRow } from '../webhooks/mirror/invoice';
import { organizationFor, type PageResult, type ReconciliationDeps } from './deps';
import { invoiceDrift, invoiceEventType } from './drift';

const PAGE_SIZE = 100;

/**
 * One page of recent Stripe invoices against the mirror. A differing mirror row is rewritten
 * from Stripe, stamped with the time of this observation (so a late, older webhook cannot undo
 * the repair), and the subscription's workflow is told when the payment state moved.
 */
export async function reconcileInvoicesPage(
  deps: ReconciliationDeps,
  input: { runKey: string; startingAfter: string | null; createdSince: number },
): Promise<PageResult> {
  const page = await deps.stripe.invoices.list({
    limit: PAGE_SIZE,
    created: { gte: input.createdSince },
    ...(input.startingAfter ? { starting_after: input.startingAfter } : {}),
  });
  const repaired: PageResult['repaired'] = [];
  for (const raw of page.data) {
    const parsed = StripeInvoiceSchema.safeParse(raw);
    if (!parsed.success) continue; // drafts without an id-bearing shape we mirror
    const invoice = parsed.data;
    const existing = await findInvoice(deps.db, invoice.id);
    const organizationId =
      existing?.organization_id ??
      (await organizationFor(deps.db, raw.parent?.subscription_details?.metadata ?? raw.metadata, raw.customer));
    if (!organizationId) continue;
    const row = toInvoiceRow(invoice, organizationId, new Date());
    const fields = invoiceDrift(row, existing);
    if (fields.length === 0) continue;
    await upsertInvoice(deps.db, row);
    let action = 'mirror repaired';
    const type = invoiceEventType(row.status, row.attempt_count ?? 0);
    if (row.stripe_subscription_id && type && (fields.includes('missing') || fields.includes('status'))) {
      const signal = {
        eventId: `${RECONCILE_EVENT_PREFIX}${input.runKey}:${invoice.id}`,
        type,
        objectId: invoice.id,
        created: Math.floor(Date.now() / 1000),
      };
      if ((await deps.subscriptions.signalEvent(organizationId, signal)) === 'signalled')
        action = 'mirror repaired, workflow signalled';
    }
    repaired.push({ objectId: invoice.id, organizationId, action, fields });
  }
  const last = page.data.at(-1);
  return { next: page.has_more && last?.id ? last.id : null, checked: page.data.length, repaired };
}
