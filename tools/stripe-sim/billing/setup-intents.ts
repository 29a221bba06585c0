import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import type { Sim } from '../sim';
import { behaviorOf, setupOutcome } from './card-outcomes';
import { nextActionFor } from './payment-intents';
import type { CardDecline } from './test-cards';

export interface NewSetupIntent {
  customer: string | null;
  paymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  usage: 'off_session' | 'on_session';
  at: number;
}

export type SetupResult =
  { status: 'succeeded' } | { status: 'requires_action' } | { status: 'failed'; decline: CardDecline };

export function createSetupIntent(sim: Sim, n: NewSetupIntent): Stripe.SetupIntent {
  const id = sim.id('seti');
  const si: Stripe.SetupIntent = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: ['card'],
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${sim.id('x', 24).slice(2)}`,
    created: n.at,
    customer: n.customer,
    description: n.description,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: n.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: n.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: n.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    usage: n.usage,
  };
  sim.state.setupIntents[id] = si;
  sim.emit('setup_intent.created', si, n.at);
  sim.store.changed();
  return si;
}

/** Setting a card up makes it reusable: attached to the SetupIntent's customer, and marked set up for its card row. */
function succeed(
  sim: Sim,
  si: Stripe.SetupIntent,
  pmId: string,
  at: number,
  attach: (pmId: string, customer: string) => string,
): void {
  const customer = typeof si.customer === 'string' ? si.customer : si.customer?.id;
  const attached = customer ? attach(pmId, customer) : pmId;
  const behavior = sim.state.cardBehaviors[attached];
  if (behavior && 'card' in behavior) behavior.setUp = true;
  si.payment_method = attached;
  si.status = 'succeeded';
  si.next_action = null;
  si.last_setup_error = null;
  sim.emit('setup_intent.succeeded', si, at);
}

function fail(
  sim: Sim,
  si: Stripe.SetupIntent,
  pmId: string | null,
  decline: CardDecline,
  at: number,
  type: 'card_error' | 'invalid_request_error',
): void {
  const pm = pmId ? sim.state.paymentMethods[pmId] : undefined;
  si.status = 'requires_payment_method';
  si.next_action = null;
  si.last_setup_error = {
    type,
    code: decline.code as Stripe.SetupIntent.LastSetupError.Code,
    message: decline.message,
    ...(decline.declineCode ? { decline_code: decline.declineCode } : {}),
    ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
    ...(pm ? { payment_method: structuredClone(pm) } : {}),
  };
  sim.emit('setup_intent.setup_failed', si, at);
}

/**
 * Confirm a SetupIntent: the card's `setup` column decides. `attach` attaches the payment method to the customer
 * (a test alias mints a new `pm_`) and answers its id.
 */
export function confirmSetup(
  sim: Sim,
  si: Stripe.SetupIntent,
  pmId: string,
  a: { returnUrl?: string | undefined; at: number; attach: (pmId: string, customer: string) => string },
): SetupResult {
  if (si.status === 'succeeded' || si.status === 'canceled' || si.status === 'processing') {
    throw invalidRequest(
      `You cannot confirm this SetupIntent because it has a status of ${si.status}.`,
      undefined,
      'setup_intent_unexpected_state',
    );
  }
  si.payment_method = pmId;
  const outcome = setupOutcome(behaviorOf(sim, pmId));
  sim.store.changed();
  if (outcome.kind === 'succeeds') {
    succeed(sim, si, pmId, a.at, a.attach);
    return { status: 'succeeded' };
  }
  if (outcome.kind === 'requires_action') {
    si.status = 'requires_action';
    si.last_setup_error = null;
    si.next_action = nextActionFor(sim, si.id, a.returnUrl) as Stripe.SetupIntent.NextAction;
    sim.emit('setup_intent.requires_action', si, a.at);
    return { status: 'requires_action' };
  }
  fail(sim, si, pmId, outcome.decline, a.at, 'card_error');
  return { status: 'failed', decline: outcome.decline };
}

/** The customer's part of 3-D Secure on a SetupIntent (`/_sim/setup_intents/:id/authenticate`). */
export function authenticateSetup(
  sim: Sim,
  si: Stripe.SetupIntent,
  outcome: 'succeed' | 'fail',
  at: number,
  attach: (pmId: string, customer: string) => string,
): SetupResult {
  const pmId = typeof si.payment_method === 'string' ? si.payment_method : (si.payment_method?.id ?? null);
  sim.store.changed();
  if (outcome === 'succeed' && pmId) {
    succeed(sim, si, pmId, at, attach);
    return { status: 'succeeded' };
  }
  const decline: CardDecline = {
    code: 'setup_intent_authentication_failure',
    declineCode: null,
    adviceCode: null,
    message:
      'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
  };
  fail(sim, si, pmId, decline, at, 'invalid_request_error');
  return { status: 'failed', decline };
}

export function cancelSetupIntent(
  sim: Sim,
  si: Stripe.SetupIntent,
  reason: Stripe.SetupIntent.CancellationReason | null,
  at: number,
): void {
  if (si.status === 'succeeded' || si.status === 'canceled') {
    throw invalidRequest(
      `You cannot cancel this SetupIntent because it has a status of ${si.status}.`,
      undefined,
      'setup_intent_unexpected_state',
    );
  }
  si.status = 'canceled';
  si.cancellation_reason = reason;
  si.next_action = null;
  sim.emit('setup_intent.canceled', si, at);
  sim.store.changed();
}
