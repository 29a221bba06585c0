import type { Db } from '../../db/database';
import type { InboundEvent } from '../stripe-event';
import { upsertInvoices, type NewInvoiceRow } from '../../db/read-models/invoices';
import {
  applyDefaultFlags,
  upsertPaymentMethods,
  type NewPaymentMethodRow,
} from '../../db/read-models/payment-methods';
import { StripeCustomerSchema, mirrorDefaultPaymentMethod } from './default-payment-method';
import { StripeInvoiceSchema, toInvoiceRow } from './invoice';
import { StripePaymentMethodSchema, toPaymentMethodRow } from './payment-method';

/** The event types `mirrorEvents` projects (the webhook endpoint must subscribe to every one of them). */
export const isMirroredEventType = (type: string): boolean =>
  (type.startsWith('invoice.') && type !== 'invoice.upcoming') ||
  type.startsWith('payment_method.') ||
  type === 'customer.created' ||
  type === 'customer.updated';

/**
 * Projects invoice.*, payment_method.* and customer.created|updated (the default card) events into
 * the read model, a relay batch's (in `created` order) in a few statements instead of one or two
 * per event: the invoices in one upsert (one more for each further event of one invoice), the
 * payment methods likewise, then the default-card flag of their organizations; customer events one
 * by one (rare). The end state is the one applying them in order gives: the read models' guards decide.
 * Throws on a malformed object (no statement has run then) or a failed statement.
 */
export async function mirrorEvents(
  db: Db,
  items: readonly { event: InboundEvent; organizationId: string }[],
): Promise<void> {
  const invoices: NewInvoiceRow[] = [];
  const paymentMethods: NewPaymentMethodRow[] = [];
  const customers: {
    customer: ReturnType<typeof StripeCustomerSchema.parse>;
    organizationId: string;
    observedAt: Date;
  }[] = [];
  for (const { event, organizationId } of items) {
    if (!isMirroredEventType(event.type)) continue;
    const observedAt = new Date(event.created * 1000);
    if (event.type.startsWith('invoice.')) {
      invoices.push(
        toInvoiceRow(
          StripeInvoiceSchema.parse(event.data.object),
          organizationId,
          observedAt,
          event.type === 'invoice.deleted',
        ),
      );
    } else if (event.type.startsWith('payment_method.')) {
      paymentMethods.push(
        toPaymentMethodRow(
          StripePaymentMethodSchema.parse(event.data.object),
          organizationId,
          observedAt,
          event.type === 'payment_method.detached',
        ),
      );
    } else {
      customers.push({ customer: StripeCustomerSchema.parse(event.data.object), organizationId, observedAt });
    }
  }
  await Promise.all([
    upsertInvoices(db, invoices),
    upsertPaymentMethods(db, paymentMethods).then(() =>
      applyDefaultFlags(
        db,
        paymentMethods.map((p) => p.organization_id),
      ),
    ),
  ]);
  for (const { customer, organizationId, observedAt } of customers)
    await mirrorDefaultPaymentMethod(db, customer, organizationId, observedAt);
}
