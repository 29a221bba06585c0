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
import type { Sim } from '../sim';
import { newestFirst } from '../store';
import { declineError } from '../billing/card-outcomes';
import { afterPaymentIntentAttempt } from '../billing/invoicing';
import { attemptPayment, cancelPaymentIntent, createPaymentIntent } from '../billing/payment-intents';
import { resolvePaymentMethod } from './payment-methods';

const confirmParams = {
  payment_method: z.string().optional(),
  off_session: formBool.optional(),
  return_url: z.string().optional(),
  error_on_requires_action: formBool.optional(),
  expand: formExpand.optional(),
};
const createSchema = z.strictObject({
  ...confirmParams,
  amount: formInt.pipe(z.number().int().min(1)),
  currency: z.string().length(3),
  customer: z.string().optional(),
  confirm: formBool.optional(),
  description: z.string().optional(),
  metadata: formMetadata.optional(),
  payment_method_types: z.array(z.literal('card')).optional(),
  automatic_payment_methods: z
    .strictObject({ enabled: formBool, allow_redirects: z.enum(['always', 'never']).optional() })
    .optional(),
  setup_future_usage: z.enum(['off_session', 'on_session']).optional(),
  receipt_email: z.string().optional(),
});
const confirmSchema = z.strictObject(confirmParams);
const cancelSchema = z.strictObject({
  cancellation_reason: z.enum(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  expand: formExpand.optional(),
});
const retrieveSchema = z.strictObject({ client_secret: z.string().optional(), expand: formExpand.optional() });
const listSchema = z.strictObject({ ...listParams, customer: z.string().optional(), created: rangeFilter.optional() });

/** `/v1/payment_intents`: create (optionally confirming), retrieve, confirm, cancel, list. */
export function paymentIntentRoutes(router: Router, sim: Sim): void {
  const get = (id: string): Stripe.PaymentIntent => {
    const pi = sim.state.paymentIntents[id];
    if (!pi) throw resourceMissing('payment_intent', id, 'intent');
    return pi;
  };
  const now = (pi: Stripe.PaymentIntent): number =>
    typeof pi.customer === 'string' ? sim.nowForCustomer(pi.customer) : sim.realNow();

  const confirm = (pi: Stripe.PaymentIntent, p: z.output<typeof confirmSchema>): Stripe.PaymentIntent => {
    const at = now(pi);
    const named =
      p.payment_method ?? (typeof pi.payment_method === 'string' ? pi.payment_method : pi.payment_method?.id);
    if (!named)
      throw invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, provide a `payment_method`.",
        'payment_method',
        'payment_intent_unexpected_state',
      );
    const pmId = resolvePaymentMethod(sim, named, at);
    const owner = sim.state.paymentMethods[pmId]?.customer;
    if (owner && pi.customer && owner !== pi.customer)
      throw invalidRequest(
        `The provided PaymentMethod belongs to another customer.`,
        'payment_method',
        'payment_intent_invalid_parameter',
      );
    const result = attemptPayment(sim, pi, pmId, {
      offSession: p.off_session ?? false,
      billing: false,
      returnUrl: p.return_url,
      errorOnRequiresAction: p.error_on_requires_action,
      at,
    });
    afterPaymentIntentAttempt(sim, pi, result, at);
    if (result.status === 'failed')
      throw declineError(result.decline, {
        payment_intent: structuredClone(pi),
        ...(typeof pi.latest_charge === 'string' ? { charge: pi.latest_charge } : {}),
      });
    return pi;
  };

  router.post('/v1/payment_intents', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (p.customer && !sim.state.customers[p.customer]) throw resourceMissing('customer', p.customer, 'customer');
    const at = p.customer ? sim.nowForCustomer(p.customer) : sim.realNow();
    const pi = createPaymentIntent(sim, {
      amount: p.amount,
      currency: p.currency.toLowerCase(),
      customer: p.customer ?? null,
      paymentMethod: p.payment_method ? resolvePaymentMethod(sim, p.payment_method, at) : null,
      description: p.description ?? null,
      metadata: applyMetadata({}, p.metadata),
      setupFutureUsage: p.setup_future_usage ?? null,
      at,
    });
    return p.confirm ? confirm(pi, { ...p, payment_method: undefined }) : pi;
  });

  router.get('/v1/payment_intents/:id', ({ pathParams, params }) => {
    parseParams(retrieveSchema, params);
    return get(pathParams.id ?? '');
  });

  router.post('/v1/payment_intents/:id/confirm', ({ pathParams, params }) =>
    confirm(get(pathParams.id ?? ''), parseParams(confirmSchema, params)),
  );

  router.post('/v1/payment_intents/:id/cancel', ({ pathParams, params }) => {
    const p = parseParams(cancelSchema, params);
    const pi = get(pathParams.id ?? '');
    if (sim.state.paymentIntentInvoices[pi.id])
      throw invalidRequest(
        'You cannot cancel this PaymentIntent because it was created by an invoice. Void the invoice instead.',
        undefined,
        'payment_intent_unexpected_state',
      );
    cancelPaymentIntent(sim, pi, p.cancellation_reason ?? null, now(pi));
    return pi;
  });

  router.get('/v1/payment_intents', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.paymentIntents).filter(
      (pi) => (p.customer === undefined || pi.customer === p.customer) && inRange(pi.created, p.created),
    );
    return paginate(items, '/v1/payment_intents', p);
  });
}
