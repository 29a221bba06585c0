import type { BillingSchemas } from '../../client';
import type { CardEntry } from './card-entry';
import { field, h } from './dom';

/** Stripe's test PaymentMethods a person picks instead of typing a card number (the simulator has no card form). */
export const TEST_CARDS: { id: string; label: string }[] = [
  { id: 'pm_card_visa', label: 'Visa 4242 — succeeds' },
  { id: 'pm_card_mastercard', label: 'Mastercard 4444 — succeeds' },
  { id: 'pm_card_threeDSecure2Required', label: 'Visa 3155 — asks for 3-D Secure' },
  { id: 'pm_card_authenticationRequiredOnSetup', label: 'Visa 3184 — 3-D Secure once, at set-up' },
  { id: 'pm_card_chargeCustomerFail', label: 'Visa 0341 — saves, then payments fail' },
  { id: 'pm_card_visa_chargeDeclined', label: 'Visa 0002 — declined' },
];

type SetupIntent = {
  id: string;
  status: string;
  payment_method: string | null;
  next_action?: { redirect_to_url?: { url: string } } | null;
  last_setup_error?: { message?: string } | null;
};

/** A call to the simulator's Stripe API as Stripe.js makes it: the publishable key and the client secret. */
async function stripeCall(
  apiUrl: string,
  key: string,
  path: string,
  form?: Record<string, string>,
): Promise<SetupIntent> {
  const res = await fetch(`${apiUrl}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: {
      Authorization: `Bearer ${key}`,
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const body = (await res.json()) as SetupIntent & { error?: { message?: string; setup_intent?: SetupIntent } };
  if (!res.ok) throw new Error(body.error?.message ?? `Stripe answered ${res.status}`);
  return body;
}

export function simulatorCardEntry(intent: BillingSchemas['SetupIntent'], key: string, apiUrl: string): CardEntry {
  return {
    render(saved, notify) {
      const card = h('select', { name: 'test-card' }, ...TEST_CARDS.map((c) => h('option', { value: c.id }, c.label)));
      const form = h(
        'form',
        { class: 'test-cards' },
        h('p', {}, 'Stripe simulator: pick one of Stripe’s test cards.'),
        field('Test card', card),
        h('button', { type: 'submit' }, 'Save card'),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void (async () => {
          try {
            const si = await stripeCall(apiUrl, key, `/v1/setup_intents/${intent.setupIntentId}/confirm`, {
              client_secret: intent.clientSecret,
              payment_method: card.value,
              return_url: `${location.origin}/billing/payment-method`,
            });
            if (si.status === 'requires_action' && si.next_action?.redirect_to_url?.url) {
              // The bank's challenge (3-D Secure): the customer leaves for it and comes back to return_url.
              location.assign(si.next_action.redirect_to_url.url);
              return;
            }
            if (si.status !== 'succeeded' || !si.payment_method)
              throw new Error(`The card was not set up (${si.status})`);
            await saved(si.payment_method);
          } catch (err) {
            notify(err instanceof Error ? err.message : String(err));
          }
        })();
      });
      return form;
    },
  };
}

/**
 * Back from the challenge page (return_url with `setup_intent`, its client secret and `redirect_status`): the
 * intent is read again, as Stripe's docs advise rather than trusting the query, and its card saved when set up.
 */
export async function finishRedirectedSetup(
  key: string,
  apiUrl: string,
  saved: (paymentMethodId: string) => Promise<void>,
  notify: (m: string) => void,
): Promise<void> {
  const query = new URLSearchParams(location.search);
  const id = query.get('setup_intent');
  const secret = query.get('setup_intent_client_secret');
  if (!id || !secret) return;
  history.replaceState(null, '', location.pathname);
  try {
    const si = await stripeCall(
      apiUrl,
      key,
      `/v1/setup_intents/${encodeURIComponent(id)}?client_secret=${encodeURIComponent(secret)}`,
    );
    if (si.status === 'succeeded' && si.payment_method) await saved(si.payment_method);
    else notify(`The card was not set up: ${si.last_setup_error?.message ?? 'authentication did not complete'}`);
  } catch (err) {
    notify(err instanceof Error ? err.message : String(err));
  }
}
