import type { Sim } from '../sim';
import { afterPaymentIntentAttempt } from '../billing/invoicing';
import { authenticatePayment } from '../billing/payment-intents';
import { authenticateSetup } from '../billing/setup-intents';
import { attachForSetup } from '../resources/setup-intents';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

/**
 * The customer's part of 3-D Secure, as Stripe's test authentication page plays it in a browser: complete or fail
 * the challenge of an intent waiting in `requires_action`. A completed challenge on an invoice's PaymentIntent pays
 * the invoice (and so activates its subscription).
 */
export function authenticatePaymentIntent(sim: Sim, id: string, outcome: 'succeed' | 'fail'): ControlAnswer {
  const pi = sim.state.paymentIntents[id];
  if (!pi) return { status: 404, body: { error: `no PaymentIntent ${id}` } };
  if (pi.status !== 'requires_action')
    return {
      status: 409,
      body: { error: `PaymentIntent ${id} is ${pi.status}; only one in requires_action can be authenticated` },
    };
  const at = typeof pi.customer === 'string' ? sim.nowForCustomer(pi.customer) : sim.realNow();
  const result = authenticatePayment(sim, pi, outcome, at);
  afterPaymentIntentAttempt(sim, pi, result, at);
  return { status: 200, body: pi };
}

export function authenticateSetupIntent(sim: Sim, id: string, outcome: 'succeed' | 'fail'): ControlAnswer {
  const si = sim.state.setupIntents[id];
  if (!si) return { status: 404, body: { error: `no SetupIntent ${id}` } };
  if (si.status !== 'requires_action')
    return {
      status: 409,
      body: { error: `SetupIntent ${id} is ${si.status}; only one in requires_action can be authenticated` },
    };
  const at = typeof si.customer === 'string' ? sim.nowForCustomer(si.customer) : sim.realNow();
  authenticateSetup(sim, si, outcome, at, attachForSetup(sim));
  return { status: 200, body: si };
}

const html = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page behind `next_action` URLs, as Stripe's test authentication page: buttons that complete or fail the
 * challenge (a form POST to the same URL, no script), and the control calls that do the same for a program.
 */
export function renderChallengePage(id: string): string {
  const kind = id.startsWith('seti_') ? 'setup_intents' : 'payment_intents';
  const button = (outcome: string, label: string) =>
    `<form method="post" action="/_sim/authenticate/${html(id)}"><input type="hidden" name="outcome" value="${outcome}">` +
    `<button type="submit">${label}</button></form>`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>3D Secure test challenge</title></head><body>` +
    `<h1>3D Secure 2 test challenge for ${html(id)}</h1>` +
    `<p>This is a test authentication page (the Stripe simulator).</p>` +
    button('succeed', 'Complete authentication') +
    button('fail', 'Fail authentication') +
    `<p>Complete it: <code>POST /_sim/${kind}/${html(id)}/authenticate {"outcome":"succeed"}</code></p>` +
    `<p>Fail it: <code>POST /_sim/${kind}/${html(id)}/authenticate {"outcome":"fail"}</code></p></body></html>`
  );
}

/**
 * The challenge page's buttons: the outcome is played as by the control call, then the customer goes back to the
 * `return_url` the confirmation named, with the query Stripe adds (`setup_intent` or `payment_intent`, its
 * `…_client_secret` and `redirect_status`: https://docs.stripe.com/js/setup_intents/confirm_setup), or, without
 * one, sees the result.
 */
export function submitChallenge(
  sim: Sim,
  id: string,
  outcome: 'succeed' | 'fail',
): { redirect: string } | ControlAnswer {
  const setup = id.startsWith('seti_');
  const intent = setup ? sim.state.setupIntents[id] : sim.state.paymentIntents[id];
  const returnUrl = intent?.next_action?.redirect_to_url?.return_url ?? null;
  const answer = setup ? authenticateSetupIntent(sim, id, outcome) : authenticatePaymentIntent(sim, id, outcome);
  if (answer.status !== 200 || !returnUrl || !intent) return answer;
  const url = new URL(returnUrl);
  const name = setup ? 'setup_intent' : 'payment_intent';
  url.searchParams.set(name, id);
  url.searchParams.set(`${name}_client_secret`, intent.client_secret ?? '');
  url.searchParams.set('redirect_status', outcome === 'succeed' ? 'succeeded' : 'failed');
  return { redirect: url.toString() };
}
