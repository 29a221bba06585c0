import type { Db } from '../../db/database';
import type { InboundEvent } from '../stripe-event';
import type { NewInvoiceRow, NewPaymentMethodRow } from '../../db/schema';
import { StripeCustomerSchema, applyDefaultFlags, mirrorDefaultPaymentMethod } from './default-payment-method';
import { StripeInvoiceSchema, toInvoiceRow, upsertInvoices } from './invoice';
import { StripePaymentMethodSchema, toPaymentMethodRow, upsertPaymentMethods } from './payment-method';

/**
 * Projects invoice.*, payment_method.* and customer.created|updated (the default card) events into
 * the read model, a relay batch's (in `created` order) in a few statements instead of one or two
 * per event: every invoice in one upsert, every payment method in another, then the
 * default-card flag of their organizations; customer events one by one (rare). The end state is
 * the one applying them in order gives, the guards by `created` deciding as they do per event.
 * Throws on a malformed object (no statement has run then) or a failed statement.
 */
export async function mirrorEvents(db: Db, items: readonly { event: InboundEvent; organizationId: string }[]): Promise<void> {
  const invoices: NewInvoiceRow[] = [];
  const paymentMethods: NewPaymentMethodRow[] = [];
  const customers: { customer: ReturnType<typeof StripeCustomerSchema.parse>; organizationId: string; observedAt: Date }[] = [];
  for (const { event, organizationId } of items) {
    const observedAt = new Date(event.created * 1000);
    if (event.type.startsWith('invoice.') && event.type !== 'invoice.upcoming') {
      invoices.push(toInvoiceRow(StripeInvoiceSchema.parse(event.data.object), organizationId, observedAt, event.type === 'invoice.deleted'));
    } else if (event.type.startsWith('payment_method.')) {
      paymentMethods.push(toPaymentMethodRow(StripePaymentMethodSchema.parse(event.data.object), organizationId, observedAt, event.type === 'payment_method.detached'));
    } else if (event.type === 'customer.created' || event.type === 'customer.updated') {
      customers.push({ customer: StripeCustomerSchema.parse(event.data.object), organizationId, observedAt });
    }
  }
  await Promise.all([upsertInvoices(db, invoices), upsertPaymentMethods(db, paymentMethods).then(() => applyDefaultFlags(db, paymentMethods.map((p) => p.organization_id)))]);
  for (const { customer, organizationId, observedAt } of customers) await mirrorDefaultPaymentMethod(db, customer, organizationId, observedAt);
}
