import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import { formBool, formExpand, formInt, listParams, parseParams, rangeFilter } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';
import { customerIdOfInvoice, subscriptionIdOf } from '../billing/invoice-object';
import { collectInvoice, finalizeInvoice, markPaid, markUncollectible, voidInvoice } from '../billing/invoicing';
import { createPreviewInvoice } from '../billing/preview';
import { discountFor, planDiscounts, type DiscountSpec } from '../billing/discounts';
import { requireTaxLocation } from '../billing/tax';

const listSchema = z.strictObject({
  ...listParams,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  created: rangeFilter.optional(),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
  collection_method: z.string().optional(),
});
const paySchema = z.strictObject({
  payment_method: z.string().optional(),
  off_session: formBool.optional(),
  paid_out_of_band: formBool.optional(),
  forgive: formBool.optional(),
  expand: formExpand.optional(),
});
const expandOnly = z.strictObject({ expand: formExpand.optional() });
const previewItem = z.strictObject({
  id: z.string().optional(),
  price: z.string().optional(),
  quantity: formInt.optional(),
  deleted: formBool.optional(),
});
const previewSchema = z.strictObject({
  automatic_tax: z.strictObject({ enabled: formBool }).optional(),
  customer: z.string().optional(),
  discounts: z
    .union([
      z.literal(''),
      z.array(
        z.strictObject({
          coupon: z.string().optional(),
          promotion_code: z.string().optional(),
          discount: z.string().optional(),
        }),
      ),
    ])
    .optional(),
  subscription: z.string().optional(),
  subscription_details: z
    .strictObject({
      items: z.array(previewItem).optional(),
      proration_date: formInt.optional(),
      proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
    })
    .optional(),
  expand: formExpand.optional(),
});

export function invoiceRoutes(router: Router, sim: Sim): void {
  const get = (id: string): Stripe.Invoice => {
    const invoice = sim.state.invoices[id];
    if (!invoice) throw resourceMissing('invoice', id, 'invoice');
    return invoice;
  };
  const now = (invoice: Stripe.Invoice): number => sim.nowForCustomer(customerIdOfInvoice(invoice));

  router.get('/v1/invoices/:id', ({ pathParams }) => get(pathParams.id ?? ''));

  router.get('/v1/invoices/:id/lines', ({ pathParams, params }) => {
    const invoice = get(pathParams.id ?? '');
    return paginate(
      invoice.lines.data,
      `/v1/invoices/${invoice.id}/lines`,
      parseParams(z.strictObject(listParams), params),
    );
  });

  router.get('/v1/invoices', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.invoices).filter(
      (i) =>
        (p.customer === undefined || i.customer === p.customer) &&
        (p.subscription === undefined || subscriptionIdOf(i) === p.subscription) &&
        (p.status === undefined || i.status === p.status) &&
        inRange(i.created, p.created),
    );
    return paginate(items, '/v1/invoices', p);
  });

  router.post('/v1/invoices/:id/pay', ({ pathParams, params }) => {
    const invoice = get(pathParams.id ?? '');
    const p = parseParams(paySchema, params);
    if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid');
    if (invoice.status === 'void')
      throw invalidRequest(
        'This invoice has been voided and can no longer be paid.',
        undefined,
        'invoice_not_editable',
      );
    if (p.payment_method && sim.state.paymentMethods[p.payment_method]?.customer !== customerIdOfInvoice(invoice)) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${p.payment_method}.`,
        'payment_method',
        'resource_missing',
      );
    }
    const at = now(invoice);
    if (invoice.status === 'draft') finalizeInvoice(sim, invoice, at);
    if (invoice.status === 'paid') return invoice;
    if (p.paid_out_of_band) {
      markPaid(sim, invoice, at);
      return invoice;
    }
    // Stripe pays an invoice off session unless told otherwise (`off_session` defaults to true).
    const result = collectInvoice(sim, invoice, at, {
      manual: true,
      offSession: p.off_session ?? true,
      paymentMethod: p.payment_method,
    });
    if (!result.paid) throw result.error;
    saveDefaultOnSubscription(sim, invoice, p.payment_method);
    return invoice;
  });

  router.post('/v1/invoices/:id/finalize', ({ pathParams, params }) => {
    parseParams(z.strictObject({ auto_advance: formBool.optional(), expand: formExpand.optional() }), params);
    const invoice = get(pathParams.id ?? '');
    finalizeInvoice(sim, invoice, now(invoice));
    return invoice;
  });

  router.post('/v1/invoices/:id/void', ({ pathParams, params }) => {
    parseParams(expandOnly, params);
    const invoice = get(pathParams.id ?? '');
    voidInvoice(sim, invoice, now(invoice));
    return invoice;
  });

  router.post('/v1/invoices/:id/mark_uncollectible', ({ pathParams, params }) => {
    parseParams(expandOnly, params);
    const invoice = get(pathParams.id ?? '');
    markUncollectible(sim, invoice, now(invoice));
    return invoice;
  });

  router.post('/v1/invoices/create_preview', ({ params }) => {
    const p = parseParams(previewSchema, params);
    if (!p.subscription)
      throw invalidRequest(
        'The simulator previews invoices of existing subscriptions only: pass `subscription`.',
        'subscription',
        'parameter_missing',
      );
    const sub = sim.state.subscriptions[p.subscription];
    if (!sub) throw resourceMissing('subscription', p.subscription, 'subscription');
    if (p.customer && p.customer !== sub.customer)
      throw invalidRequest('The subscription does not belong to that customer.', 'customer');
    const details = p.subscription_details;
    const at = sim.nowForCustomer(typeof sub.customer === 'string' ? sub.customer : sub.customer.id);
    const customer = sim.state.customers[typeof sub.customer === 'string' ? sub.customer : sub.customer.id];
    if (p.automatic_tax?.enabled && customer) requireTaxLocation(customer, 'automatic_tax[enabled]');
    return createPreviewInvoice(sim, sub, at, {
      items: details?.items,
      prorationDate: details?.proration_date,
      prorationBehavior: details?.proration_behavior,
      discounts: previewDiscounts(sim, sub, p.discounts, details?.items, at),
      automaticTax: p.automatic_tax?.enabled,
    });
  });
}

/**
 * `discounts` on a preview: '' previews without discounts; a list previews those redemptions (refused as a real
 * redemption would be, nothing redeemed); absent keeps the subscription's own.
 */
function previewDiscounts(
  sim: Sim,
  sub: Stripe.Subscription,
  specs: '' | DiscountSpec[] | undefined,
  items: Array<{ id?: string | undefined; price?: string | undefined; deleted?: boolean | undefined }> | undefined,
  at: number,
): Stripe.Discount[] | undefined {
  if (specs === undefined) return undefined;
  if (specs === '') return [];
  const prices = items?.some((i) => i.price)
    ? items.flatMap((i) => (i.price && !i.deleted ? [i.price] : []))
    : sub.items.data.map((i) => i.price.id);
  const target = {
    customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
    subscription: sub.id,
    products: prices.map((id) => {
      const product = sim.state.prices[id]?.product ?? '';
      return typeof product === 'string' ? product : product.id;
    }),
  };
  return planDiscounts(sim, specs, target, at).map((plan) => discountFor(sim, plan, target, at, 'di_preview'));
}

/** `payment_settings.save_default_payment_method=on_subscription`: a card that paid becomes the subscription default. */
function saveDefaultOnSubscription(sim: Sim, invoice: Stripe.Invoice, pmId: string | undefined): void {
  const sub = sim.state.subscriptions[subscriptionIdOf(invoice) ?? ''];
  if (pmId && sub?.payment_settings?.save_default_payment_method === 'on_subscription')
    sub.default_payment_method = pmId;
}
