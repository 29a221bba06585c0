import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import type { Sim } from '../sim';
import { behaviorOf, paymentOutcome } from './card-outcomes';
import { recordCharge } from './charges';
import { AUTHENTICATION_REQUIRED, type CardDecline } from './test-cards';

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  setupFutureUsage: 'off_session' | 'on_session' | null;
  at: number;
}

/** The result of one payment attempt; `failed` carries the decline the API answers with (402). */
export type AttemptResult =
  { status: 'succeeded' } | { status: 'requires_action' } | { status: 'failed'; decline: CardDecline };

export interface Attempt {
  offSession: boolean;
  /** Stripe Billing attempts: a payment that needs the customer stays `requires_action` even off session. */
  billing: boolean;
  returnUrl?: string | undefined;
  /** `error_on_requires_action`: fail instead of waiting for the customer. */
  errorOnRequiresAction?: boolean | undefined;
  at: number;
}

const AUTHENTICATION_NOT_HANDLED: CardDecline = {
  ...AUTHENTICATION_REQUIRED,
  declineCode: 'authentication_not_handled',
};

export function createPaymentIntent(sim: Sim, n: NewPaymentIntent): Stripe.PaymentIntent {
  const id = sim.id('pi');
  const pi: Stripe.PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: ['card'],
    amount: n.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${sim.id('x', 24).slice(2)}`,
    confirmation_method: 'automatic',
    created: n.at,
    currency: n.currency,
    customer: n.customer,
    customer_account: null,
    description: n.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: n.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: n.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: n.setupFutureUsage,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: n.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_group: null,
  };
  sim.state.paymentIntents[id] = pi;
  sim.emit('payment_intent.created', pi, n.at);
  sim.store.changed();
  return pi;
}

/** Where the customer completes 3-D Secure: a `/_sim` page standing in for the issuer's challenge. */
export function challengeUrl(sim: Sim, intentId: string): string {
  return `${sim.baseUrl()}/_sim/authenticate/${intentId}`;
}

/**
 * `redirect_to_url` when the confirmation named a `return_url` (the customer is sent to the issuer's page and back),
 * otherwise `use_stripe_sdk`, which Stripe.js handles in place.
 */
export function nextActionFor(
  sim: Sim,
  intentId: string,
  returnUrl: string | undefined,
): Stripe.PaymentIntent.NextAction {
  const url = challengeUrl(sim, intentId);
  if (returnUrl) return { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } };
  return {
    type: 'use_stripe_sdk',
    use_stripe_sdk: {
      type: 'three_d_secure_redirect',
      stripe_js: url,
    } as unknown as Stripe.PaymentIntent.NextAction.UseStripeSdk,
  };
}

function settleSucceeded(sim: Sim, pi: Stripe.PaymentIntent, pmId: string, at: number, authenticated: boolean): void {
  const charge = recordCharge(sim, pi, pmId, at, null);
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  pi.latest_charge = charge.id;
  pi.last_payment_error = null;
  pi.next_action = null;
  // A payment authenticated with setup_future_usage sets the card up for later off-session payments.
  const behavior = sim.state.cardBehaviors[pmId];
  if (authenticated && pi.setup_future_usage && behavior && 'card' in behavior) behavior.setUp = true;
  sim.emit('payment_intent.succeeded', pi, at);
}

export function recordFailure(
  sim: Sim,
  pi: Stripe.PaymentIntent,
  pmId: string | null,
  decline: CardDecline,
  at: number,
  withCharge: boolean,
  type: 'card_error' | 'invalid_request_error' = 'card_error',
): void {
  const charge = withCharge && pmId ? recordCharge(sim, pi, pmId, at, decline) : null;
  pi.status = 'requires_payment_method';
  pi.next_action = null;
  if (charge) pi.latest_charge = charge.id;
  const pm = pmId ? sim.state.paymentMethods[pmId] : undefined;
  pi.last_payment_error = {
    type,
    code: decline.code as Stripe.PaymentIntent.LastPaymentError.Code,
    message: decline.message,
    ...(decline.declineCode ? { decline_code: decline.declineCode } : {}),
    ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
    ...(decline.param ? { param: decline.param } : {}),
    ...(charge ? { charge: charge.id } : {}),
    ...(pm ? { payment_method: structuredClone(pm) } : {}),
  };
  sim.emit('payment_intent.payment_failed', pi, at);
}

/**
 * Confirm a PaymentIntent with a payment method: the card's row decides (card-outcomes.ts). A payment that needs
 * the customer waits in `requires_action` with `next_action`, except off session outside Billing, where Stripe
 * declines it with `authentication_required`.
 */
export function attemptPayment(sim: Sim, pi: Stripe.PaymentIntent, pmId: string, a: Attempt): AttemptResult {
  if (pi.status === 'succeeded' || pi.status === 'canceled' || pi.status === 'processing') {
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  pi.payment_method = pmId;
  const outcome = paymentOutcome(behaviorOf(sim, pmId), { offSession: a.offSession, authenticated: false });
  sim.store.changed();
  if (outcome.kind === 'succeeds') {
    settleSucceeded(sim, pi, pmId, a.at, false);
    return { status: 'succeeded' };
  }
  const needsCustomer =
    outcome.kind === 'requires_action' || (a.billing && outcome.decline.code === 'authentication_required');
  if (needsCustomer && a.errorOnRequiresAction) {
    recordFailure(sim, pi, pmId, AUTHENTICATION_NOT_HANDLED, a.at, true);
    return { status: 'failed', decline: AUTHENTICATION_NOT_HANDLED };
  }
  if (needsCustomer) {
    pi.status = 'requires_action';
    pi.last_payment_error = null;
    pi.next_action = nextActionFor(sim, pi.id, a.returnUrl);
    sim.emit('payment_intent.requires_action', pi, a.at);
    return { status: 'requires_action' };
  }
  if (outcome.kind !== 'declines') throw new Error('unreachable');
  recordFailure(sim, pi, pmId, outcome.decline, a.at, true);
  return { status: 'failed', decline: outcome.decline };
}

/** The customer's part of 3-D Secure (`/_sim/payment_intents/:id/authenticate`). */
export function authenticatePayment(
  sim: Sim,
  pi: Stripe.PaymentIntent,
  outcome: 'succeed' | 'fail',
  at: number,
): AttemptResult {
  const pmId = typeof pi.payment_method === 'string' ? pi.payment_method : (pi.payment_method?.id ?? null);
  if (outcome === 'fail' || !pmId) {
    const failure: CardDecline = {
      code: 'payment_intent_authentication_failure',
      declineCode: null,
      adviceCode: null,
      message:
        'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    };
    recordFailure(sim, pi, pmId, failure, at, false, 'invalid_request_error');
    sim.store.changed();
    return { status: 'failed', decline: failure };
  }
  const result = paymentOutcome(behaviorOf(sim, pmId), { offSession: false, authenticated: true });
  sim.store.changed();
  if (result.kind === 'declines') {
    recordFailure(sim, pi, pmId, result.decline, at, true);
    return { status: 'failed', decline: result.decline };
  }
  settleSucceeded(sim, pi, pmId, at, true);
  return { status: 'succeeded' };
}

export function cancelPaymentIntent(
  sim: Sim,
  pi: Stripe.PaymentIntent,
  reason: Stripe.PaymentIntent.CancellationReason | null,
  at: number,
): void {
  if (pi.status === 'succeeded' || pi.status === 'canceled') {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  pi.status = 'canceled';
  pi.canceled_at = at;
  pi.cancellation_reason = reason;
  pi.next_action = null;
  sim.emit('payment_intent.canceled', pi, at);
  sim.store.changed();
}
