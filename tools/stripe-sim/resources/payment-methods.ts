import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { applyMetadata, formExpand, formMetadata, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { behaviorOf, cardOf, declineError } from '../billing/card-outcomes';
import { TEST_CARDS, testCardForToken, type TestCard } from '../billing/test-cards';

const billingDetails = z.strictObject({
  email: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
});
const createSchema = z.strictObject({
  type: z.literal('card'),
  card: z.strictObject({ token: z.string() }).optional(),
  billing_details: billingDetails.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const attachSchema = z.strictObject({ customer: z.string(), expand: formExpand.optional() });
const updateSchema = z.strictObject({
  billing_details: billingDetails.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({ ...listParams, customer: z.string().optional(), type: z.string().optional() });
const customerListSchema = z.strictObject({ ...listParams, type: z.string().optional() });

function buildPaymentMethod(sim: Sim, card: TestCard, created: number, id = sim.id('pm')): Stripe.PaymentMethod {
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: `fp${card.last4}${card.brand}`,
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

/**
 * The payment method an intent names: a test alias (`pm_card_visa`) becomes a new, unattached PaymentMethod, as
 * Stripe does when an alias is used to pay.
 */
export function resolvePaymentMethod(sim: Sim, id: string, at: number): string {
  const alias = TEST_CARDS[id];
  if (!alias) return getPaymentMethod(sim, id).id;
  const pm = buildPaymentMethod(sim, alias, at);
  sim.state.paymentMethods[pm.id] = pm;
  sim.state.cardBehaviors[pm.id] = { card: alias.paymentMethod };
  return pm.id;
}

function getPaymentMethod(sim: Sim, id: string): Stripe.PaymentMethod {
  const pm = sim.state.paymentMethods[id];
  if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return pm;
}

/**
 * Attach a payment method. A test alias (`pm_card_visa`) mints a new `pm_` each time, as Stripe does;
 * cards that Stripe declines outright fail here with the card error.
 */
export function attachPaymentMethod(sim: Sim, pmId: string, customerId: string, param: string): Stripe.PaymentMethod {
  const customer = sim.state.customers[customerId];
  if (!customer) throw resourceMissing('customer', customerId, 'customer');
  const now = sim.nowForCustomer(customerId);
  const alias = TEST_CARDS[pmId];
  const pm = alias ? buildPaymentMethod(sim, alias, now) : getPaymentMethod(sim, pmId);
  const card = alias ?? cardOf(behaviorOf(sim, pm.id));
  if (card.attach === 'declines' && card.decline)
    throw declineError(card.decline, { param: card.decline.param ?? param });
  if (pm.customer && pm.customer !== customerId) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', param);
  }
  if (pm.customer === customerId) return pm;
  pm.customer = customerId;
  sim.state.paymentMethods[pm.id] = pm;
  if (alias) sim.state.cardBehaviors[pm.id] = { card: alias.paymentMethod };
  sim.emit('payment_method.attached', pm, now);
  sim.store.changed();
  return pm;
}

export function paymentMethodRoutes(router: Router, sim: Sim): void {
  router.post('/v1/payment_methods', ({ params }) => {
    const p = parseParams(createSchema, params);
    const card = p.card ? testCardForToken(p.card.token) : undefined;
    if (!card)
      throw invalidRequest(
        'The simulator creates card payment methods from test tokens only (card[token]=tok_visa, ...).',
        'card[token]',
      );
    const pm = buildPaymentMethod(sim, card, sim.realNow());
    pm.billing_details = { ...pm.billing_details, ...p.billing_details };
    pm.metadata = applyMetadata({}, p.metadata);
    sim.state.paymentMethods[pm.id] = pm;
    sim.state.cardBehaviors[pm.id] = { card: card.paymentMethod };
    sim.store.changed();
    return pm;
  });

  router.get('/v1/payment_methods/:id', ({ pathParams }) => {
    const id = pathParams.id ?? '';
    const alias = TEST_CARDS[id];
    return alias ? buildPaymentMethod(sim, alias, sim.realNow(), id) : getPaymentMethod(sim, id);
  });

  router.post('/v1/payment_methods/:id', ({ pathParams, params }) => {
    const pm = getPaymentMethod(sim, pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    const before = structuredClone(pm);
    pm.billing_details = { ...pm.billing_details, ...p.billing_details };
    pm.metadata = applyMetadata(pm.metadata ?? {}, p.metadata);
    const prev = previousAttributes(before, pm);
    if (Object.keys(prev).length > 0) sim.emit('payment_method.updated', pm, sim.realNow(), prev);
    sim.store.changed();
    return pm;
  });

  router.post('/v1/payment_methods/:id/attach', ({ pathParams, params }) => {
    const p = parseParams(attachSchema, params);
    return attachPaymentMethod(sim, pathParams.id ?? '', p.customer, 'payment_method');
  });

  router.post('/v1/payment_methods/:id/detach', ({ pathParams, params }) => {
    parseParams(z.strictObject({ expand: formExpand.optional() }), params);
    const pm = getPaymentMethod(sim, pathParams.id ?? '');
    const customerId = typeof pm.customer === 'string' ? pm.customer : null;
    if (!customerId)
      throw invalidRequest(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
      );
    const now = sim.nowForCustomer(customerId);
    detachFromCustomer(sim, customerId, pm.id);
    pm.customer = null;
    sim.emit('payment_method.detached', pm, now, { customer: customerId });
    sim.store.changed();
    return pm;
  });

  router.get('/v1/payment_methods', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.paymentMethods).filter(
      (pm) => pm.customer !== null && (p.customer === undefined || pm.customer === p.customer),
    );
    return paginate(items, '/v1/payment_methods', p);
  });

  router.get('/v1/customers/:id/payment_methods', ({ pathParams, params }) => {
    const p = parseParams(customerListSchema, params);
    const id = pathParams.id ?? '';
    if (!sim.state.customers[id]) throw resourceMissing('customer', id, 'customer');
    return paginate(
      newestFirst(sim.state.paymentMethods).filter((pm) => pm.customer === id),
      `/v1/customers/${id}/payment_methods`,
      p,
    );
  });
}

/** Stripe clears a detached card from the customer's and subscriptions' defaults. */
function detachFromCustomer(sim: Sim, customerId: string, pmId: string): void {
  const customer = sim.state.customers[customerId];
  if (customer?.invoice_settings.default_payment_method === pmId) {
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
  }
  for (const sub of Object.values(sim.state.subscriptions)) {
    if (sub.customer === customerId && sub.default_payment_method === pmId) sub.default_payment_method = null;
  }
}
