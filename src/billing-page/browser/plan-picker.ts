import { api, data, idempotencyKey, type Plan, type Preview, type Subscription } from './api';
import { field, h, section } from './dom';
import { money, words } from './format';
import { isLive, type Act } from './overview';

type Interval = 'month' | 'year';
type AddOnId = 'agents_5' | 'storage_10gb';
interface Choice {
  planId: Plan['id'];
  interval: Interval;
  seats: number;
  addOns: Partial<Record<AddOnId, number>>;
}

/**
 * The plan picker: plan, interval, extra seats and add-on packs. With a live subscription it previews the change
 * (POST /subscription/preview) before the customer confirms it (PATCH /subscription); without one it subscribes with
 * the default card (POST /subscription).
 */
export function planPicker(
  plans: Plan[],
  s: Subscription | null,
  defaultCard: string | null,
  act: Act,
  notify: (message: string) => void,
): HTMLElement {
  const live = s && isLive(s) ? s : null;
  const offered = plans.filter((p) => p.selfServe && p.prices !== null);
  const form = h('form', { class: 'plan-picker', novalidate: true });
  const planSet = h('fieldset', {}, h('legend', {}, 'Plan'));
  for (const p of offered) {
    const radio = h('input', {
      type: 'radio',
      name: 'plan',
      value: p.id,
      id: `plan-${p.id}`,
      checked: (live?.plan ?? 'starter') === p.id,
    });
    planSet.append(
      h(
        'div',
        { class: 'choice' },
        radio,
        h(
          'label',
          { for: radio.id },
          h('strong', {}, p.name),
          ` ${money(p.prices?.month ?? 0, p.price.currency)}/month or ${money(p.prices?.year ?? 0, p.price.currency)}/year`,
          p.trialDays > 0 && !live ? ` · ${p.trialDays}-day trial` : '',
        ),
      ),
    );
  }
  const interval = h(
    'select',
    { name: 'interval' },
    h('option', { value: 'month', selected: live?.interval !== 'year' }, 'Monthly'),
    h('option', { value: 'year', selected: live?.interval === 'year' }, 'Yearly (2 months free)'),
  );
  const seats = h('input', {
    type: 'number',
    name: 'seats',
    min: 0,
    max: 1000,
    step: 1,
    value: live?.seats ?? 0,
    inputmode: 'numeric',
  });
  const addOnInputs = (['agents_5', 'storage_10gb'] as const).map((id) => ({
    id,
    input: h('input', {
      type: 'number',
      name: id,
      min: 0,
      max: 100,
      step: 1,
      value: live?.addOns[id] ?? 0,
      inputmode: 'numeric',
    }),
  }));
  const result = h('div', { class: 'preview', 'aria-live': 'polite' });
  form.append(
    planSet,
    field('Billing interval', interval),
    field('Extra seats', seats, 'Seats beyond those the plan includes'),
    ...addOnInputs.map(({ id, input }) => field(`Add-on packs: ${words(id)}`, input)),
  );

  const choice = (): Choice | string => {
    const planId = (form.querySelector<HTMLInputElement>('input[name=plan]:checked')?.value ?? '') as Plan['id'];
    const n = (input: HTMLInputElement) => Number(input.value);
    const values = [seats, ...addOnInputs.map((a) => a.input)];
    if (!planId) return 'Pick a plan';
    if (values.some((v) => !Number.isInteger(n(v)) || n(v) < 0 || n(v) > Number(v.max)))
      return 'Seats and packs are whole numbers within their limits';
    return {
      planId,
      interval: interval.value as Interval,
      seats: n(seats),
      addOns: Object.fromEntries(addOnInputs.map(({ id, input }) => [id, n(input)])),
    };
  };

  /** Only what differs from the subscription: the API keeps absent fields (or their scheduled values). */
  const changeBody = (c: Choice, current: Subscription) => ({
    ...(c.planId !== current.plan ? { planId: c.planId } : {}),
    ...(c.interval !== current.interval ? { interval: c.interval } : {}),
    ...(c.seats !== current.seats ? { seats: c.seats } : {}),
    ...(Object.entries(c.addOns).some(([id, n]) => (current.addOns[id] ?? 0) !== n) ? { addOns: c.addOns } : {}),
  });

  if (live) {
    form.append(h('button', { type: 'submit' }, 'Preview change'), result);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const c = choice();
      if (typeof c === 'string') return notify(c);
      const body = changeBody(c, live);
      if (Object.keys(body).length === 0) return notify('That is your current plan');
      void act('', async () => {
        const preview = await data(api.POST('/api/v1/billing/subscription/preview', { body }));
        result.replaceChildren(previewView(preview, () => confirmChange(body)));
        result.querySelector('button')?.focus();
      });
    });
  } else {
    const skipTrial = h('input', { type: 'checkbox', name: 'skipTrial' });
    form.append(
      h(
        'div',
        { class: 'field inline' },
        skipTrial,
        h('label', { for: (skipTrial.id = 'skip-trial') }, 'Pay now instead of starting a trial'),
      ),
      defaultCard
        ? h('button', { type: 'submit' }, 'Subscribe')
        : h('p', {}, 'Add a card first: ', h('a', { href: '/billing/payment-method' }, 'payment methods')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const c = choice();
      if (typeof c === 'string') return notify(c);
      if (!defaultCard) return notify('Add a card first');
      void act('Subscribed', () =>
        data(
          api.POST('/api/v1/billing/subscription', {
            params: { header: { 'idempotency-key': idempotencyKey() } },
            body: { ...c, paymentMethodId: defaultCard, ...(skipTrial.checked ? { skipTrial: true } : {}) },
          }),
        ),
      );
    });
  }

  const confirmChange = (body: ReturnType<typeof changeBody>) =>
    act('Plan changed', () =>
      data(
        api.PATCH('/api/v1/billing/subscription', {
          params: { header: { 'idempotency-key': idempotencyKey() } },
          body,
        }),
      ),
    );

  return section(live ? 'Change plan' : 'Choose a plan', form);
}

function previewView(p: Preview, confirm: () => Promise<void>): HTMLElement {
  const now = p.effective !== 'at_renewal';
  return h(
    'div',
    { class: 'preview-box', 'data-testid': 'preview' },
    h(
      'p',
      {},
      now
        ? `Due now: ${money(p.amountDueNow, p.currency)} (prorated for the rest of this period).`
        : 'Nothing is due now: the change applies at the renewal.',
    ),
    h('p', {}, `Then ${money(p.nextRenewalAmount, p.currency)} at each renewal.`),
    h(
      'button',
      { type: 'button', onclick: () => void confirm() },
      now && p.amountDueNow > 0 ? 'Confirm and pay' : 'Confirm change',
    ),
  );
}
