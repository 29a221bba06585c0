import { z } from 'zod';
import { preparedQuery, type Db, type PreparedStatement } from '../../db/database';
import type { NewInvoiceRow } from '../../db/schema';

const epoch = z.number().int().nullish().transform((s) => (s == null ? null : new Date(s * 1000)));
const reference = z.union([z.string(), z.looseObject({ id: z.string() })]).transform((r) => (typeof r === 'string' ? r : r.id));

/** The invoice fields the read model keeps, as API version 2026-10-28.endive shapes them. */
export const StripeInvoiceSchema = z.looseObject({
  id: z.string().startsWith('in_'),
  status: z.string().nullish(),
  currency: z.string().length(3),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  amount_remaining: z.number().int(),
  number: z.string().nullish(),
  billing_reason: z.string().nullish(),
  attempt_count: z.number().int().nonnegative(),
  hosted_invoice_url: z.string().nullish(),
  invoice_pdf: z.string().nullish(),
  period_start: epoch,
  period_end: epoch,
  due_date: epoch,
  created: z.number().int(),
  status_transitions: z.looseObject({ paid_at: epoch }).nullish(),
  // Since the 2025 "basil" versions the subscription hangs off parent.subscription_details.
  parent: z.looseObject({ subscription_details: z.looseObject({ subscription: reference }).nullish() }).nullish(),
});

export type StripeInvoice = z.infer<typeof StripeInvoiceSchema>;

export function toInvoiceRow(invoice: StripeInvoice, organizationId: string, observedAt: Date, deleted = false): NewInvoiceRow {
  return {
    organization_id: organizationId,
    stripe_invoice_id: invoice.id,
    stripe_subscription_id: invoice.parent?.subscription_details?.subscription ?? null,
    number: invoice.number ?? null,
    status: deleted ? 'deleted' : (invoice.status ?? 'draft'),
    currency: invoice.currency,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    amount_remaining: invoice.amount_remaining,
    billing_reason: invoice.billing_reason ?? null,
    attempt_count: invoice.attempt_count,
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
    invoice_pdf: invoice.invoice_pdf ?? null,
    period_start: invoice.period_start,
    period_end: invoice.period_end,
    due_date: invoice.due_date,
    paid_at: invoice.status_transitions?.paid_at ?? null,
    stripe_created_at: new Date(invoice.created * 1000),
    source_event_created_at: observedAt,
  };
}

const INVOICE_COLUMNS = [
  'organization_id', 'stripe_invoice_id', 'stripe_subscription_id', 'number', 'status', 'currency', 'amount_due', 'amount_paid',
  'amount_remaining', 'billing_reason', 'attempt_count', 'hosted_invoice_url', 'invoice_pdf', 'period_start', 'period_end',
  'due_date', 'paid_at', 'stripe_created_at', 'source_event_created_at',
] as const satisfies readonly (keyof NewInvoiceRow)[];

/** How far along Stripe's invoice lifecycle a status is (see below). */
const rank = (status: string) => `case ${status} when 'draft' then 0 when 'open' then 1 else 2 end`;

/**
 * Insert or update, unless the row was written from a newer observation of Stripe. Events carry
 * second-resolution timestamps and Stripe often emits finalized/payment_succeeded/paid in the same
 * second, so on a tie the further-along state wins instead of whichever event was relayed last.
 * The relay runs this for every invoice event, so it is a named prepared statement (no query
 * building per event, parsed and planned once per connection).
 */
const UPSERT_INVOICE: PreparedStatement = {
  name: 'mirror_upsert_invoice_v1',
  text: `insert into invoices (${INVOICE_COLUMNS.join(', ')})
    values (${INVOICE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    on conflict (stripe_invoice_id) do update set
      ${INVOICE_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
    where invoices.source_event_created_at < excluded.source_event_created_at
      or (invoices.source_event_created_at = excluded.source_event_created_at and ${rank('invoices.status')} <= ${rank('excluded.status')})
    returning stripe_invoice_id`,
};

export async function upsertInvoice(db: Db, row: NewInvoiceRow): Promise<boolean> {
  const rows = await preparedQuery(db, UPSERT_INVOICE, INVOICE_COLUMNS.map((c) => row[c] ?? null));
  return rows.length > 0;
}

const INVOICE_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'integer', 'text', 'text',
  'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz',
] as const satisfies { length: typeof INVOICE_COLUMNS.length };

/** The same upsert for several invoices at once (one per id: see upsertInvoices), its columns as arrays. */
const UPSERT_INVOICES: PreparedStatement = {
  name: 'mirror_upsert_invoices_v1',
  text: UPSERT_INVOICE.text.replace(
    /values \([^)]*\)/,
    `select * from unnest(${INVOICE_COLUMNS.map((_, i) => `$${i + 1}::${INVOICE_TYPES[i]}[]`).join(', ')})`,
  ),
};

const invoiceRank = (status: string) => (status === 'draft' ? 0 : status === 'open' ? 1 : 2);

/**
 * Several invoice observations (a relay batch's, in `created` order) in one statement. Of the
 * rows for one invoice only the one that would win when applied in order is sent: the newest
 * observation, on a same-second tie the further-along state, on a full tie the later one.
 */
export async function upsertInvoices(db: Db, rows: readonly NewInvoiceRow[]): Promise<void> {
  const winners = new Map<string, NewInvoiceRow>();
  for (const row of rows) {
    const held = winners.get(row.stripe_invoice_id);
    const newer = !held || +held.source_event_created_at < +row.source_event_created_at
      || (+held.source_event_created_at === +row.source_event_created_at && invoiceRank(held.status) <= invoiceRank(row.status));
    if (newer) winners.set(row.stripe_invoice_id, row);
  }
  const batch = [...winners.values()];
  if (batch.length === 1) await upsertInvoice(db, batch[0] as NewInvoiceRow);
  else if (batch.length > 1) await preparedQuery(db, UPSERT_INVOICES, INVOICE_COLUMNS.map((c) => batch.map((row) => row[c] ?? null)));
}
