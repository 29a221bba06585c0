import type Stripe from 'stripe';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database';
import type { CreditNotesTable } from '../db/schema';
import type { Notifier } from '../notifications/types';

export const CREDIT_NOTE_REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory'] as const;
export type CreditNoteReason = (typeof CREDIT_NOTE_REASONS)[number];

export interface RefundRequest {
  stripeInvoiceId: string;
  /** Minor units; absent = everything still refundable on the invoice. */
  amount?: number;
  reason: CreditNoteReason;
  memo?: string;
  /** Who asks: an operator token's label, or `cli:<user>`. Stored in the audit row. */
  actor: string;
  /** The caller's Idempotency-Key: the same key sends Stripe the same request, so a retry refunds once. */
  idempotencyKey: string;
  requestId?: string;
}

export interface IssuedCreditNote {
  stripeCreditNoteId: string;
  number: string;
  stripeInvoiceId: string;
  organizationId: string;
  currency: string;
  amount: number;
  refundedAmount: number;
  reason: CreditNoteReason;
  memo: string | null;
  pdfUrl: string | null;
  actor: string;
  createdAt: string;
}

export class RefundError extends Error {
  constructor(
    readonly reason: 'invoice_not_found' | 'not_paid' | 'nothing_refundable' | 'amount_too_large',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RefundError';
  }
}

/** What is still refundable on an invoice: what was paid, less the credit notes already issued on it. */
export async function refundableOn(db: Db, stripeInvoiceId: string): Promise<number | null> {
  const invoice = await db
    .selectFrom('invoices')
    .select(['status', 'amount_paid'])
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .executeTakeFirst();
  if (!invoice) return null;
  const credited = await db
    .selectFrom('credit_notes')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .executeTakeFirstOrThrow();
  return Number(invoice.amount_paid) - Number(credited.total);
}

/**
 * Refunds a paid invoice, fully or partly, through a Stripe credit note settled as a refund to the card that paid
 * (https://docs.stripe.com/invoicing/dashboard/credit-notes). The audit row records who, when, why and how much;
 * the customer gets one credit-note email (its dedupe key is the credit note's id).
 */
export async function refundInvoice(
  deps: { db: Db; stripe: Stripe; notifier: Notifier },
  req: RefundRequest,
): Promise<IssuedCreditNote> {
  const { db, stripe } = deps;
  const invoice = await db
    .selectFrom('invoices')
    .select(['organization_id', 'status', 'amount_paid', 'currency', 'number'])
    .where('stripe_invoice_id', '=', req.stripeInvoiceId)
    .executeTakeFirst();
  if (!invoice) throw new RefundError('invoice_not_found', `No invoice ${req.stripeInvoiceId} in the read model`);
  // A repeat (the same key: a client's retry, a retried activity) is the credit note it made, before anything is
  // recomputed: what is refundable has already shrunk by it, so recomputing would refuse or refund a different amount.
  const earlier = await db
    .selectFrom('credit_notes')
    .selectAll()
    .where('stripe_invoice_id', '=', req.stripeInvoiceId)
    .where('idempotency_key', '=', req.idempotencyKey)
    .executeTakeFirst();
  if (earlier) {
    await enqueueCreditNoteEmail(deps.notifier, invoice, earlier);
    return issued(earlier);
  }
  if (invoice.status !== 'paid')
    throw new RefundError(
      'not_paid',
      `Invoice ${req.stripeInvoiceId} is ${invoice.status}: only paid invoices are refunded`,
      {
        status: invoice.status,
      },
    );
  const refundable = (await refundableOn(db, req.stripeInvoiceId)) ?? 0;
  if (refundable <= 0)
    throw new RefundError('nothing_refundable', `Invoice ${req.stripeInvoiceId} has been refunded in full`, {
      refundable,
    });
  const amount = req.amount ?? refundable;
  if (amount > refundable)
    throw new RefundError(
      'amount_too_large',
      `Refund of ${amount} exceeds what is still refundable on ${req.stripeInvoiceId} (${refundable})`,
      { amount, refundable },
    );

  const creditNote = await stripe.creditNotes.create(
    {
      invoice: req.stripeInvoiceId,
      amount,
      refund_amount: amount,
      reason: req.reason,
      ...(req.memo ? { memo: req.memo } : {}),
      metadata: { actor: req.actor.slice(0, 500) },
    },
    { idempotencyKey: `credit_note:${req.stripeInvoiceId}:${req.idempotencyKey}` },
  );
  const refundedAmount = creditNote.refunds.reduce((sum, r) => sum + r.amount_refunded, 0);
  // Stripe answers a repeated create with the same credit note (the row may be missing if the last attempt died
  // after Stripe's answer): one audit row, one email, whichever unique index a racing repeat hits first.
  await db
    .insertInto('credit_notes')
    .values({
      organization_id: invoice.organization_id,
      stripe_invoice_id: req.stripeInvoiceId,
      stripe_credit_note_id: creditNote.id,
      number: creditNote.number,
      currency: creditNote.currency,
      amount: creditNote.amount,
      refunded_amount: refundedAmount,
      reason: creditNote.reason ?? req.reason,
      memo: creditNote.memo,
      pdf_url: creditNote.pdf || null,
      actor: req.actor,
      request_id: req.requestId ?? null,
      idempotency_key: req.idempotencyKey,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const stored = await db
    .selectFrom('credit_notes')
    .selectAll()
    .where('stripe_credit_note_id', '=', creditNote.id)
    .executeTakeFirstOrThrow();
  await enqueueCreditNoteEmail(deps.notifier, invoice, stored);
  return issued(stored);
}

type StoredCreditNote = Selectable<CreditNotesTable>;

/** The customer's credit-note email; its dedupe key is the credit note's id, so a repeat sends nothing new. */
async function enqueueCreditNoteEmail(
  notifier: Notifier,
  invoice: { organization_id: string; number: string | null },
  note: StoredCreditNote,
): Promise<void> {
  await notifier.enqueue({
    organizationId: invoice.organization_id,
    kind: 'credit_note_issued',
    dedupeKey: `credit_note_issued:${note.stripe_credit_note_id}`,
    data: {
      creditNoteNumber: note.number,
      invoiceId: note.stripe_invoice_id,
      invoiceNumber: invoice.number,
      currency: note.currency,
      amount: Number(note.amount),
      refundedAmount: Number(note.refunded_amount),
      reason: note.reason,
      memo: note.memo,
      creditNotePdf: note.pdf_url,
    },
  });
}

function issued(stored: StoredCreditNote): IssuedCreditNote {
  return {
    stripeCreditNoteId: stored.stripe_credit_note_id,
    number: stored.number,
    stripeInvoiceId: stored.stripe_invoice_id,
    organizationId: stored.organization_id,
    currency: stored.currency,
    amount: Number(stored.amount),
    refundedAmount: Number(stored.refunded_amount),
    reason: stored.reason as CreditNoteReason,
    memo: stored.memo,
    pdfUrl: stored.pdf_url,
    actor: stored.actor,
    createdAt: stored.created_at.toISOString(),
  };
}

/** A credit note as GET /invoices shows it beside its invoice. */
export interface CreditNoteSummary {
  number: string;
  amount: number;
  refundedAmount: number;
  reason: string | null;
  pdfUrl: string | null;
  createdAt: string;
}

/** The credit notes of some invoices, by invoice id (for GET /invoices). */
export async function creditNotesOf(
  db: Db,
  stripeInvoiceIds: readonly string[],
): Promise<Map<string, CreditNoteSummary[]>> {
  const byInvoice = new Map<string, CreditNoteSummary[]>();
  if (stripeInvoiceIds.length === 0) return byInvoice;
  const rows = await db
    .selectFrom('credit_notes')
    .selectAll()
    .where('stripe_invoice_id', 'in', stripeInvoiceIds)
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    const list = byInvoice.get(r.stripe_invoice_id) ?? [];
    list.push({
      number: r.number,
      amount: Number(r.amount),
      refundedAmount: Number(r.refunded_amount),
      reason: r.reason,
      pdfUrl: r.pdf_url,
      createdAt: r.created_at.toISOString(),
    });
    byInvoice.set(r.stripe_invoice_id, list);
  }
  return byInvoice;
}
