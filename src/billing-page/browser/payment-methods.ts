import { api, data, idempotencyKey, type PaymentMethod } from './api';
import { cardEntryFor, type CardEntry } from './card-entry';
import { h, section } from './dom';
import { isLive, type Act } from './overview';

/** The saved cards (the default first) and card entry through a SetupIntent. */
export function paymentMethods(methods: PaymentMethod[], act: Act, notify: (m: string) => void): HTMLElement {
  const list = methods.length
    ? h(
        'ul',
        { class: 'cards', 'data-testid': 'cards' },
        ...methods.map((m) =>
          h(
            'li',
            {},
            `${m.brand ?? m.type} •••• ${m.last4 ?? '????'}`,
            m.expMonth ? ` · expires ${String(m.expMonth).padStart(2, '0')}/${m.expYear}` : '',
            m.isDefault ? h('span', { class: 'tag' }, 'default') : '',
          ),
        ),
      )
    : h('p', {}, 'No card saved yet.');
  const slot = h('div', { class: 'card-entry' });
  const start = h(
    'button',
    {
      type: 'button',
      onclick: () =>
        void act('', async () => {
          const intent = await data(
            api.POST('/api/v1/billing/payment-methods/setup-intent', {
              params: { header: { 'idempotency-key': idempotencyKey() } },
            }),
          );
          const entry: CardEntry = cardEntryFor(intent);
          start.hidden = true;
          slot.replaceChildren(
            entry.render(async (paymentMethodId) => {
              await act('Card saved', () => saveCard(paymentMethodId));
            }, notify),
          );
          slot.querySelector<HTMLElement>('select, button, input')?.focus();
        }),
    },
    'Add a card',
  );
  return section('Payment methods', list, start, slot);
}

/**
 * With a live subscription, attaches the card set up in the browser and makes it the default (a failing payment is
 * retried with it at once); before one, setting it up already attached it to the customer, and subscribing names
 * it. Then waits (up to 10 s) until the card list shows it: the list is a read model Stripe's events keep.
 */
export async function saveCard(paymentMethodId: string): Promise<void> {
  const { subscription } = await data(api.GET('/api/v1/billing/subscription'));
  if (isLive(subscription))
    await data(
      api.POST('/api/v1/billing/payment-method', {
        params: { header: { 'idempotency-key': idempotencyKey() } },
        body: { paymentMethodId },
      }),
    );
  for (let waited = 0; waited < 10_000; waited += 250) {
    const { data: list } = await data(api.GET('/api/v1/billing/payment-methods'));
    if (list.some((m) => m.id === paymentMethodId)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
