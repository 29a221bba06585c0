import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import {
  applyMetadata,
  formBool,
  formExpand,
  formInt,
  formMetadata,
  listParams,
  parseParams,
  rangeFilter,
} from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { billingInterval, cancelSubscription, invoiceSubscription } from '../billing/lifecycle';
import { advanceLines } from '../billing/lines';
import { nextPeriodEnd } from '../billing/periods';
import { startSubscription } from '../billing/start';
import { currentPeriod, setPeriod } from '../billing/subscription-object';
import { updateSubscription } from '../billing/update';

const paymentBehavior = z.enum([
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
  'pending_if_incomplete',
]);
const trialSettings = z.strictObject({
  end_behavior: z.strictObject({ missing_payment_method: z.enum(['cancel', 'create_invoice', 'pause']) }),
});
const paymentSettings = z.strictObject({
  save_default_payment_method: z.enum(['off', 'on_subscription']).optional(),
  payment_method_types: z.array(z.string()).optional(),
});
const trialEnd = z.union([z.literal('now'), formInt]);
const cancellationDetails = z.strictObject({
  comment: z.string().optional(),
  feedback: z
    .enum([
      'customer_service',
      'low_quality',
      'missing_features',
      'other',
      'switched_service',
      'too_complex',
      'too_expensive',
      'unused',
    ])
    .optional(),
});
const discountSpec = z.strictObject({
  coupon: z.string().optional(),
  promotion_code: z.string().optional(),
  discount: z.string().optional(),
});
const automaticTax = z.strictObject({ enabled: formBool });
const shared = {
  automatic_tax: automaticTax.optional(),
  default_payment_method: z.string().optional(),
  payment_behavior: paymentBehavior.optional(),
  metadata: formMetadata.optional(),
  cancel_at_period_end: formBool.optional(),
  trial_end: trialEnd.optional(),
  trial_settings: trialSettings.optional(),
  payment_settings: paymentSettings.optional(),
  proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
  collection_method: z.enum(['charge_automatically', 'send_invoice']).optional(),
  days_until_due: formInt.pipe(z.number().int().min(0).max(730)).optional(),
  off_session: formBool.optional(),
  description: z.string().optional(),
  expand: formExpand.optional(),
};
const createSchema = z.strictObject({
  ...shared,
  customer: z.string(),
  currency: z.string().length(3).optional(),
  items: z
    .array(z.strictObject({ price: z.string(), quantity: formInt.optional(), metadata: formMetadata.optional() }))
    .min(1),
  trial_period_days: formInt.pipe(z.number().int().min(0).max(730)).optional(),
  trial_from_plan: formBool.optional(),
  discounts: z.union([z.literal(''), z.array(discountSpec)]).optional(),
});
const updateSchema = z.strictObject({
  ...shared,
  items: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        price: z.string().optional(),
        quantity: formInt.optional(),
        deleted: formBool.optional(),
        metadata: formMetadata.optional(),
      }),
    )
    .optional(),
  proration_date: formInt.optional(),
  discounts: z.union([z.literal(''), z.array(discountSpec)]).optional(),
  cancel_at: z.union([z.literal(''), formInt]).optional(),
  cancellation_details: cancellationDetails.optional(),
  pause_collection: z
    .union([
      z.literal(''),
      z.strictObject({
        behavior: z.enum(['keep_as_draft', 'mark_uncollectible', 'void']),
        resumes_at: formInt.optional(),
      }),
    ])
    .optional(),
});
const cancelSchema = z.strictObject({
  invoice_now: formBool.optional(),
  prorate: formBool.optional(),
  cancellation_details: cancellationDetails.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({
  ...listParams,
  customer: z.string().optional(),
  price: z.string().optional(),
  test_clock: z.string().optional(),
  created: rangeFilter.optional(),
  status: z
    .enum([
      'active',
      'all',
      'canceled',
      'ended',
      'incomplete',
      'incomplete_expired',
      'past_due',
      'paused',
      'trialing',
      'unpaid',
    ])
    .optional(),
});

/** Stripe requires days_until_due with send_invoice, and refuses it with charge_automatically. */
function collectionOf(method: string | undefined, daysUntilDue: number | undefined) {
  if (method === 'send_invoice') {
    if (daysUntilDue === undefined)
      throw invalidRequest('Missing required param: days_until_due.', 'days_until_due', 'parameter_missing');
    return { method: 'send_invoice' as const, daysUntilDue };
  }
  if (daysUntilDue !== undefined)
    throw invalidRequest(
      'Invalid days_until_due: this field can only be set when collection_method is send_invoice.',
      'days_until_due',
    );
  return undefined;
}

function metadataOf(value: z.output<typeof formMetadata> | undefined): Record<string, string> | undefined {
  return value === undefined ? undefined : applyMetadata({}, value);
}

export function subscriptionRoutes(router: Router, sim: Sim): void {
  const get = (id: string): Stripe.Subscription => {
    const sub = sim.state.subscriptions[id];
    if (!sub) throw resourceMissing('subscription', id);
    return sub;
  };

  router.post('/v1/subscriptions', ({ params }) => {
    const p = parseParams(createSchema, params);
    return startSubscription(sim, {
      customer: p.customer,
      items: p.items.map((i) => ({ price: i.price, quantity: i.quantity, metadata: metadataOf(i.metadata) })),
      trialEnd: p.trial_end,
      trialPeriodDays: p.trial_period_days,
      trialFromPlan: p.trial_from_plan,
      defaultPaymentMethod: p.default_payment_method,
      paymentBehavior: p.payment_behavior ?? 'allow_incomplete',
      metadata: applyMetadata({}, p.metadata),
      cancelAtPeriodEnd: p.cancel_at_period_end,
      missingPaymentMethod: p.trial_settings?.end_behavior.missing_payment_method ?? 'create_invoice',
      saveDefaultPaymentMethod: p.payment_settings?.save_default_payment_method ?? 'off',
      description: p.description,
      offSession: p.off_session ?? false,
      collection: collectionOf(p.collection_method, p.days_until_due),
      discounts: p.discounts || [],
      automaticTax: p.automatic_tax?.enabled ?? false,
      currency: p.currency,
    });
  });

  router.get('/v1/subscriptions/:id', ({ pathParams }) => get(pathParams.id ?? ''));

  router.post('/v1/subscriptions/:id', ({ pathParams, params }) => {
    const sub = get(pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    if (p.payment_behavior === 'pending_if_incomplete') refuseUnsupportedPendingUpdate(params);
    updateSubscription(
      sim,
      sub,
      {
        items: p.items?.map((i) => ({ ...i, metadata: metadataOf(i.metadata) })),
        prorationBehavior: p.proration_behavior ?? 'create_prorations',
        prorationDate: p.proration_date,
        paymentBehavior: p.payment_behavior ?? 'allow_incomplete',
        cancelAtPeriodEnd: p.cancel_at_period_end,
        cancelAt: p.cancel_at === '' ? null : p.cancel_at,
        trialEnd: p.trial_end,
        defaultPaymentMethod: p.default_payment_method === undefined ? undefined : p.default_payment_method || null,
        metadata: p.metadata === undefined ? undefined : applyMetadata(sub.metadata, p.metadata),
        missingPaymentMethod: p.trial_settings?.end_behavior.missing_payment_method,
        cancellationDetails: p.cancellation_details,
        description: p.description,
        offSession: p.off_session ?? false,
        // '' clears the discounts; a populated array replaces them; an empty one leaves them (Stripe's rule).
        discounts: p.discounts === '' ? [] : p.discounts?.length ? p.discounts : undefined,
        automaticTax: p.automatic_tax?.enabled,
        pauseCollection:
          p.pause_collection === undefined
            ? undefined
            : p.pause_collection === ''
              ? null
              : { behavior: p.pause_collection.behavior, resumesAt: p.pause_collection.resumes_at },
      },
      sim.nowForCustomer(typeof sub.customer === 'string' ? sub.customer : sub.customer.id),
    );
    return sub;
  });

  router.delete('/v1/subscriptions/:id', ({ pathParams, params }) => {
    const sub = get(pathParams.id ?? '');
    const p = parseParams(cancelSchema, params);
    if (sub.status === 'canceled') return sub;
    if (p.cancellation_details)
      sub.cancellation_details = {
        reason: null,
        feedback_option: null,
        comment: p.cancellation_details.comment ?? null,
        feedback: p.cancellation_details.feedback ?? null,
      };
    cancelSubscription(
      sim,
      sub,
      sim.nowForCustomer(typeof sub.customer === 'string' ? sub.customer : sub.customer.id),
      { reason: 'cancellation_requested', invoiceNow: p.invoice_now, prorate: p.prorate },
    );
    return sub;
  });

  router.post('/v1/subscriptions/:id/resume', ({ pathParams, params }) => {
    const sub = get(pathParams.id ?? '');
    parseParams(
      z.strictObject({
        billing_cycle_anchor: z.enum(['now', 'unchanged']).optional(),
        proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
        expand: formExpand.optional(),
      }),
      params,
    );
    if (sub.status !== 'paused')
      throw invalidRequest('Only paused subscriptions can be resumed.', undefined, 'subscription_not_paused');
    const at = sim.nowForCustomer(typeof sub.customer === 'string' ? sub.customer : sub.customer.id);
    const before = structuredClone(sub);
    const { interval, count } = billingInterval(sub);
    sub.billing_cycle_anchor = at;
    setPeriod(sub, { start: at, end: nextPeriodEnd(at, interval, count, at) });
    sub.status = 'active';
    sim.emit('customer.subscription.resumed', sub, at, previousAttributes(before, sub));
    const period = currentPeriod(sub);
    invoiceSubscription(sim, sub, at, 'subscription_cycle', advanceLines(sim, sub, period, false), {
      attempt: true,
      offSession: false,
      period,
    });
    sim.store.changed();
    return sub;
  });

  router.get('/v1/subscriptions', ({ params }) => {
    const p = parseParams(listSchema, params);
    const ended = ['canceled', 'incomplete_expired'];
    const items = newestFirst(sim.state.subscriptions).filter(
      (s) =>
        (p.customer === undefined || s.customer === p.customer) &&
        (p.test_clock === undefined || s.test_clock === p.test_clock) &&
        inRange(s.created, p.created) &&
        (p.price === undefined || s.items.data.some((i) => i.price.id === p.price)) &&
        (p.status === 'all' ||
          (p.status === 'ended'
            ? ended.includes(s.status)
            : p.status === undefined
              ? !ended.includes(s.status)
              : s.status === p.status)),
    );
    return paginate(items, '/v1/subscriptions', p);
  });
}

/**
 * docs.stripe.com/billing/subscriptions/pending-updates-reference: only these attributes can make a pending update
 * (`payment_behavior=pending_if_incomplete`); "you can only pass the parameters supported by pending updates"
 * (subscription update API reference, payment_behavior). Anything else is refused before any change.
 */
const PENDING_UPDATE_PARAMS = new Set([
  'expand',
  'payment_behavior',
  'proration_behavior',
  'proration_date',
  'billing_cycle_anchor',
  'items',
  'trial_end',
  'trial_from_plan',
  'add_invoice_items',
]);

function refuseUnsupportedPendingUpdate(params: Record<string, unknown>): void {
  const unsupported = Object.keys(params).filter((name) => !PENDING_UPDATE_PARAMS.has(name));
  if (unsupported.length > 0)
    throw invalidRequest(
      `The following parameters are not supported when payment_behavior is pending_if_incomplete: ${unsupported.join(', ')}.`,
      unsupported[0],
    );
}
