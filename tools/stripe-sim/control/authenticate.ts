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

/** The page behind `next_action` URLs: it says how to play the customer's part (no script, no form). */
export function renderChallengePage(id: string): string {
  const kind = id.startsWith('seti_') ? 'setup_intents' : 'payment_intents';
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>3D Secure test challenge</title></head><body>` +
    `<h1>3D Secure 2 test challenge for ${html(id)}</h1>` +
    `<p>Complete it: <code>POST /_sim/${kind}/${html(id)}/authenticate {"outcome":"succeed"}</code></p>` +
    `<p>Fail it: <code>POST /_sim/${kind}/${html(id)}/authenticate {"outcome":"fail"}</code></p></body></html>`
  );
}
