import type { BillingSchemas } from '../../client';
import type { CardEntry } from './card-entry';
import { h } from './dom';

interface StripeJs {
  elements(): { create(type: 'card'): { mount(el: HTMLElement): void } };
  confirmCardSetup(
    clientSecret: string,
    data: { payment_method: { card: unknown } },
  ): Promise<{ setupIntent?: { payment_method: string | null; status: string }; error?: { message?: string } }>;
}
declare global {
  interface Window {
    Stripe?: (key: string) => StripeJs;
  }
}

/** Stripe.js must be loaded from js.stripe.com (Stripe's rule, for PCI); only with a real key, only when needed. */
function loadStripeJs(): Promise<NonNullable<Window['Stripe']>> {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  return new Promise((resolve, reject) => {
    const script = h('script', { src: 'https://js.stripe.com/v3/' });
    script.addEventListener('load', () =>
      window.Stripe ? resolve(window.Stripe) : reject(new Error('Stripe.js did not load')),
    );
    script.addEventListener('error', () => reject(new Error('Stripe.js could not be loaded')));
    document.head.append(script);
  });
}

/** Stripe Elements' card field; confirmCardSetup runs 3-D Secure in Stripe's own modal when the card asks. */
export function stripeCardEntry(intent: BillingSchemas['SetupIntent'], key: string): CardEntry {
  return {
    render(saved, notify) {
      const mount = h('div', { class: 'stripe-card', role: 'group', 'aria-label': 'Card details' });
      const submit = h('button', { type: 'submit', disabled: true }, 'Save card');
      const form = h('form', {}, mount, submit);
      let card: unknown;
      let stripe: StripeJs | undefined;
      loadStripeJs().then(
        (Stripe) => {
          stripe = Stripe(key);
          const element = stripe.elements().create('card');
          element.mount(mount);
          card = element;
          submit.disabled = false;
        },
        (err: unknown) => notify(err instanceof Error ? err.message : String(err)),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!stripe) return;
        void stripe.confirmCardSetup(intent.clientSecret, { payment_method: { card } }).then(async (result) => {
          if (result.error || !result.setupIntent?.payment_method)
            return notify(result.error?.message ?? 'The card was not set up');
          await saved(result.setupIntent.payment_method);
        });
      });
      return form;
    },
  };
}
