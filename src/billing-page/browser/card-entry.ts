import type { BillingSchemas } from '../../client';
import { simulatorCardEntry } from './card-entry-simulator';
import { stripeCardEntry } from './card-entry-stripe';

export interface CardEntry {
  /** The form; `saved` gets the set-up card's PaymentMethod id. */
  render(saved: (paymentMethodId: string) => Promise<void>, notify: (m: string) => void): HTMLElement;
}

/** Where the page confirms the SetupIntent (data attributes the server set from its configuration). */
export function pageStripe(): { mode: string; api: string; publishableKey: string } {
  const app = document.getElementById('app');
  return {
    mode: app?.dataset.cardEntry ?? 'simulator',
    api: app?.dataset.stripeApi ?? '',
    publishableKey: app?.dataset.publishableKey ?? '',
  };
}

/** Stripe Elements with real Stripe; on the simulator a test-card picker driving the same SetupIntent flow. */
export function cardEntryFor(intent: BillingSchemas['SetupIntent']): CardEntry {
  const stripe = pageStripe();
  const key = intent.publishableKey ?? stripe.publishableKey;
  return stripe.mode === 'stripe' ? stripeCardEntry(intent, key) : simulatorCardEntry(intent, key, stripe.api);
}
