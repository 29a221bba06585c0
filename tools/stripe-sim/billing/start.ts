import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from '../http/errors';
import type { Sim } from '../sim';
import { behaviorOf, declineError, paymentOutcome } from './card-outcomes';
import { AUTHENTICATION_REQUIRED } from './test-cards';
import { collectInvoice } from './invoicing';
import { advanceLines } from './lines';
import { invoiceSubscription } from './lifecycle';
import { shiftByIntervals } from './periods';
import { buildItem, buildSubscription, internalsOf } from './subscription-object';
import { commitDiscounts, planDiscounts, type DiscountSpec } from './discounts';
import { automaticTaxOf, requireTaxLocation } from './tax';
import { priceCurrencies, unitAmountIn } from './money';

export interface StartParams {
  customer: string;
  items: Array<{ price: string; quantity?: number | undefined; metadata?: Record<string, string> | undefined }>;
  trialEnd: number | 'now' | undefined;
  trialPeriodDays: number | undefined;
  trialFromPlan: boolean | undefined;
  defaultPaymentMethod: string | undefined;
  paymentBehavior: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  metadata: Record<string, string>;
  cancelAtPeriodEnd: boolean | undefined;
  missingPaymentMethod: 'cancel' | 'create_invoice' | 'pause';
  saveDefaultPaymentMethod: 'off' | 'on_subscription';
  description: string | undefined;
  /** Stripe's `off_session`: the first payment is attempted without the customer (default: on session). */
  offSession: boolean;
  /** send_invoice: active at once; each invoice is finalized and sent, due `daysUntilDue` days later. */
  collection?: { method: 'charge_automatically' } | { method: 'send_invoice'; daysUntilDue: number };
  /** `discounts`: coupons or promotion codes redeemed for the new subscription (all or none). */
  discounts: DiscountSpec[];
  /** `automatic_tax[enabled]`: Stripe Tax computes the subscription's invoices from the customer's location. */
  automaticTax: boolean;
  /** `currency`: which of the prices' currencies (default or `currency_options`) the subscription charges. */
  currency?: string | undefined;
}

/**
 * The subscription's currency: the explicit `currency`, else the customer's (fixed by its first subscription),
 * else the first price's default. Every price must be chargeable in it, and a customer already charged in another
 * currency is refused: a customer has one currency for recurring billing.
 */
function resolveCurrency(sim: Sim, customer: Stripe.Customer, prices: Stripe.Price[], requested: string | undefined) {
  const currency = requested?.toLowerCase() ?? customer.currency ?? prices[0]?.currency ?? 'usd';
  prices.forEach((price, i) => {
    if (!priceCurrencies(sim, price).includes(currency))
      throw invalidRequest(
        `The price \`${price.id}\` does not support the currency \`${currency}\`: add it to the price's currency_options.`,
        `items[${i}][price]`,
      );
  });
  if (customer.currency && customer.currency !== currency)
    throw invalidRequest(
      `You cannot combine currencies on a single customer. This customer has had a subscription or invoice in currency ${customer.currency}; this subscription is in ${currency}.`,
      'currency',
    );
  return currency;
}

function resolvePrices(sim: Sim, items: StartParams['items']): Stripe.Price[] {
  if (items.length === 0) throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing');
  const prices = items.map((item, i) => {
    const price = sim.state.prices[item.price];
    if (!price) throw resourceMissing('price', item.price, `items[${i}][price]`);
    if (price.type !== 'recurring')
      throw invalidRequest(
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
        `items[${i}][price]`,
      );
    return price;
  });
  const first = prices[0];
  if (
    first &&
    prices.some(
      (p) =>
        p.recurring?.interval !== first.recurring?.interval ||
        p.recurring?.interval_count !== first.recurring?.interval_count,
    )
  ) {
    throw invalidRequest('All prices on a subscription must share the billing interval.', 'items');
  }
  return prices;
}

/**
 * Subscription creation as Stripe does it: a trial bills a $0 invoice; otherwise the first invoice is
 * finalized and, except with `default_incomplete`, paid at once. A failed first payment leaves the
 * subscription `incomplete` — or, with `error_if_incomplete`, nothing is created and the card error is returned.
 */
export function startSubscription(sim: Sim, p: StartParams): Stripe.Subscription {
  const customer = sim.state.customers[p.customer];
  if (!customer) throw resourceMissing('customer', p.customer, 'customer');
  if (p.paymentBehavior === 'pending_if_incomplete')
    throw invalidRequest('`pending_if_incomplete` is only supported when updating a subscription.', 'payment_behavior');
  if (p.defaultPaymentMethod && sim.state.paymentMethods[p.defaultPaymentMethod]?.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${p.defaultPaymentMethod}. The payment method must be attached to the customer.`,
      'default_payment_method',
      'resource_missing',
    );
  }
  const prices = resolvePrices(sim, p.items);
  const currency = resolveCurrency(sim, customer, prices, p.currency);
  if (p.automaticTax) requireTaxLocation(customer, 'automatic_tax[enabled]');
  const at = sim.nowForCustomer(customer.id);
  const planTrialDays = p.trialFromPlan ? (prices[0]?.recurring?.trial_period_days ?? undefined) : undefined;
  const trialDays = p.trialPeriodDays ?? planTrialDays;
  const trialEnd = p.trialEnd === 'now' ? undefined : (p.trialEnd ?? (trialDays ? at + trialDays * 86_400 : undefined));
  if (trialEnd !== undefined && trialEnd <= at)
    throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', 'trial_end');
  const pmId =
    p.defaultPaymentMethod ??
    (typeof customer.invoice_settings.default_payment_method === 'string'
      ? customer.invoice_settings.default_payment_method
      : undefined);
  if (
    !trialEnd &&
    p.paymentBehavior === 'error_if_incomplete' &&
    prices.some((price) => unitAmountIn(sim, price, currency) > 0)
  )
    refuseUnpayable(sim, pmId, p.offSession);

  const id = sim.id('sub');
  const target = {
    customer: customer.id,
    subscription: id,
    products: prices.map((price) => (typeof price.product === 'string' ? price.product : price.product.id)),
  };
  const plannedDiscounts = planDiscounts(sim, p.discounts, target, at);
  const recurring = prices[0]?.recurring;
  const anchor = trialEnd ?? at;
  const periodEnd =
    trialEnd ?? shiftByIntervals(at, (recurring?.interval ?? 'month') as 'month', recurring?.interval_count ?? 1, 1);
  const period = { start: at, end: periodEnd };
  const items = prices.map((price, i) =>
    buildItem(sim, {
      subscription: id,
      price,
      quantity: p.items[i]?.quantity ?? 1,
      period,
      created: at,
      metadata: p.items[i]?.metadata ?? {},
    }),
  );
  const sub = buildSubscription(
    {
      id,
      customer: customer.id,
      testClock: typeof customer.test_clock === 'string' ? customer.test_clock : null,
      created: at,
      currency,
      status: trialEnd ? 'trialing' : 'incomplete',
      anchor,
      trial: trialEnd ? { start: at, end: trialEnd } : null,
      defaultPaymentMethod: p.defaultPaymentMethod ?? null,
      metadata: p.metadata,
      missingPaymentMethod: p.missingPaymentMethod,
      saveDefaultPaymentMethod: p.saveDefaultPaymentMethod,
      description: p.description ?? null,
      collection: p.collection,
    },
    items,
  );
  const invoiced = p.collection?.method === 'send_invoice';
  // Sent for payment: Stripe does not wait for it to be paid to start the subscription.
  if (invoiced && !trialEnd) sub.status = 'active';
  if (p.cancelAtPeriodEnd) {
    sub.cancel_at_period_end = true;
    sub.cancel_at = periodEnd;
    sub.canceled_at = at;
  }
  sub.automatic_tax = automaticTaxOf(p.automaticTax);
  sim.state.subscriptions[id] = sub;
  // The first subscription fixes the customer's currency for recurring billing.
  if (!customer.currency) customer.currency = currency;
  sub.discounts = commitDiscounts(sim, plannedDiscounts, target, at);
  internalsOf(sim, id).incompleteSince = trialEnd || invoiced ? null : at;
  sim.emit('customer.subscription.created', sub, at);
  const invoice = invoiceSubscription(
    sim,
    sub,
    at,
    'subscription_create',
    advanceLines(sim, sub, period, Boolean(trialEnd)),
    { attempt: false, offSession: p.offSession, period },
  );
  if (invoice.status === 'open' && !invoiced && p.paymentBehavior !== 'default_incomplete')
    collectInvoice(sim, invoice, at, { manual: false, offSession: p.offSession });
  sim.store.changed();
  return sub;
}

/**
 * `error_if_incomplete`: Stripe answers 402 instead of creating a subscription whose first invoice cannot be paid,
 * also when the payment would need authentication ("if a payment method requires 3DS authentication ... this
 * parameter doesn't create a subscription and returns an error instead").
 */
function refuseUnpayable(sim: Sim, pmId: string | undefined, offSession: boolean): void {
  if (!pmId)
    throw declineError({
      code: 'card_declined',
      declineCode: 'generic_decline',
      adviceCode: null,
      message: 'This customer has no attached payment source or default payment method.',
    });
  const outcome = paymentOutcome(behaviorOf(sim, pmId), { offSession, authenticated: false });
  if (
    outcome.kind === 'requires_action' ||
    (outcome.kind === 'declines' && outcome.decline.code === 'authentication_required')
  )
    throw declineError(AUTHENTICATION_REQUIRED);
  if (outcome.kind === 'declines') throw declineError(outcome.decline);
}
