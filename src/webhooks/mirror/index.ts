import type { Db } from '../../db/database';
import type { InboundEvent } from '../stripe-event';
import { StripeCustomerSchema, applyDefaultFlag, mirrorDefaultPaymentMethod } from './default-payment-method';
import { StripeInvoiceSchema, toInvoiceRow, upsertInvoice } from './invoice';
import { StripePaymentMethodSchema, toPaymentMethodRow, upsertPaymentMethod } from './payment-method';

export type MirrorOutcome = 'written' | 'stale' | 'not_mirrored';

/**
 * Projects invoice.*, payment_method.* and customer.created|updated (the default card) events into the read model. Guarded by the event's
 * Stripe `created`, so applying the same event again, or an older one late, changes nothing.
 */
export async function mirrorEvent(db: Db, event: InboundEvent, organizationId: string): Promise<MirrorOutcome> {
  const observedAt = new Date(event.created * 1000);
  if (event.type.startsWith('invoice.') && event.type !== 'invoice.upcoming') {
    const invoice = StripeInvoiceSchema.parse(event.data.object);
    return (await upsertInvoice(db, toInvoiceRow(invoice, organizationId, observedAt, event.type === 'invoice.deleted'))) ? 'written' : 'stale';
  }
  if (event.type.startsWith('payment_method.')) {
    const pm = StripePaymentMethodSchema.parse(event.data.object);
    const row = toPaymentMethodRow(pm, organizationId, observedAt, event.type === 'payment_method.detached');
    if (!(await upsertPaymentMethod(db, row))) return 'stale';
    await applyDefaultFlag(db, organizationId);
    return 'written';
  }
  if (event.type === 'customer.created' || event.type === 'customer.updated') {
    const customer = StripeCustomerSchema.parse(event.data.object);
    return (await mirrorDefaultPaymentMethod(db, customer, organizationId, observedAt)) ? 'written' : 'stale';
  }
  return 'not_mirrored';
}
