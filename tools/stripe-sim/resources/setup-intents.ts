import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import {
  applyMetadata,
  formBool,
  formExpand,
  formMetadata,
  listParams,
  parseParams,
  rangeFilter,
} from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';
import { declineError } from '../billing/card-outcomes';
import { cancelSetupIntent, confirmSetup, createSetupIntent } from '../billing/setup-intents';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-methods';

const confirmParams = {
  payment_method: z.string().optional(),
  return_url: z.string().optional(),
  expand: formExpand.optional(),
};
const createSchema = z.strictObject({
  ...confirmParams,
  customer: z.string().optional(),
  confirm: formBool.optional(),
  usage: z.enum(['off_session', 'on_session']).optional(),
  description: z.string().optional(),
  metadata: formMetadata.optional(),
  payment_method_types: z.array(z.literal('card')).optional(),
  automatic_payment_methods: z
    .strictObject({ enabled: formBool, allow_redirects: z.enum(['always', 'never']).optional() })
    .optional(),
});
// client_secret: what Stripe.js sends with a publishable key (checked against the intent's by http/auth.ts).
const confirmSchema = z.strictObject({ ...confirmParams, client_secret: z.string().optional() });
const cancelSchema = z.strictObject({
  cancellation_reason: z.enum(['abandoned', 'duplicate', 'requested_by_customer']).optional(),
  expand: formExpand.optional(),
});
const retrieveSchema = z.strictObject({ client_secret: z.string().optional(), expand: formExpand.optional() });
const listSchema = z.strictObject({
  ...listParams,
  customer: z.string().optional(),
  payment_method: z.string().optional(),
  created: rangeFilter.optional(),
});

/** Attaching on success: the customer keeps the card (an alias mints a new `pm_`, already minted by resolve). */
export function attachForSetup(sim: Sim): (pmId: string, customer: string) => string {
  return (pmId, customer) => attachPaymentMethod(sim, pmId, customer, 'payment_method').id;
}

/** `/v1/setup_intents`: create (optionally confirming), retrieve, confirm, cancel, list. */
export function setupIntentRoutes(router: Router, sim: Sim): void {
  const get = (id: string): Stripe.SetupIntent => {
    const si = sim.state.setupIntents[id];
    if (!si) throw resourceMissing('setup_intent', id, 'intent');
    return si;
  };
  const now = (si: Stripe.SetupIntent): number =>
    typeof si.customer === 'string' ? sim.nowForCustomer(si.customer) : sim.realNow();

  const confirm = (si: Stripe.SetupIntent, p: z.output<typeof confirmSchema>): Stripe.SetupIntent => {
    const at = now(si);
    const named =
      p.payment_method ?? (typeof si.payment_method === 'string' ? si.payment_method : si.payment_method?.id);
    if (!named)
      throw invalidRequest(
        "You cannot confirm this SetupIntent because it's missing a payment method. To confirm the SetupIntent, provide a `payment_method`.",
        'payment_method',
        'setup_intent_unexpected_state',
      );
    const pmId = resolvePaymentMethod(sim, named, at);
    const owner = sim.state.paymentMethods[pmId]?.customer;
    if (owner && si.customer && owner !== si.customer)
      throw invalidRequest(
        'The provided PaymentMethod belongs to another customer.',
        'payment_method',
        'setup_intent_invalid_parameter',
      );
    const result = confirmSetup(sim, si, pmId, { returnUrl: p.return_url, at, attach: attachForSetup(sim) });
    if (result.status === 'failed') throw declineError(result.decline, { setup_intent: structuredClone(si) });
    return si;
  };

  router.post('/v1/setup_intents', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (p.customer && !sim.state.customers[p.customer]) throw resourceMissing('customer', p.customer, 'customer');
    const at = p.customer ? sim.nowForCustomer(p.customer) : sim.realNow();
    const si = createSetupIntent(sim, {
      customer: p.customer ?? null,
      paymentMethod: p.payment_method ? resolvePaymentMethod(sim, p.payment_method, at) : null,
      description: p.description ?? null,
      metadata: applyMetadata({}, p.metadata),
      usage: p.usage ?? 'off_session',
      at,
    });
    return p.confirm ? confirm(si, { ...p, payment_method: undefined }) : si;
  });

  router.get('/v1/setup_intents/:id', ({ pathParams, params }) => {
    parseParams(retrieveSchema, params);
    return get(pathParams.id ?? '');
  });

  router.post('/v1/setup_intents/:id/confirm', ({ pathParams, params }) =>
    confirm(get(pathParams.id ?? ''), parseParams(confirmSchema, params)),
  );

  router.post('/v1/setup_intents/:id/cancel', ({ pathParams, params }) => {
    const p = parseParams(cancelSchema, params);
    const si = get(pathParams.id ?? '');
    cancelSetupIntent(sim, si, p.cancellation_reason ?? null, now(si));
    return si;
  });

  router.get('/v1/setup_intents', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.setupIntents).filter(
      (si) =>
        (p.customer === undefined || si.customer === p.customer) &&
        (p.payment_method === undefined || si.payment_method === p.payment_method) &&
        inRange(si.created, p.created),
    );
    return paginate(items, '/v1/setup_intents', p);
  });
}
