import { api, data, idempotencyKey, type Subscription } from './api';
import { field, h, section } from './dom';
import { day, money, words } from './format';

const LIVE = new Set(['trialing', 'active', 'past_due', 'incomplete', 'paused']);
export const isLive = (s: Subscription | null): boolean => s !== null && LIVE.has(s.status);

/** Plan, status and period, with cancel and resume. */
export function overview(s: Subscription | null, effectivePlan: string, act: Act): HTMLElement {
  if (!s || !isLive(s))
    return section(
      'Your plan',
      h('p', {}, 'Plan: ', h('strong', { 'data-testid': 'plan' }, effectivePlan)),
      h(
        'p',
        {},
        s ? `Your ${s.plan} subscription ended on ${day(s.endedAt)}.` : 'No subscription yet: pick a plan below.',
      ),
    );
  const rows: [string, string][] = [
    ['Plan', s.plan],
    ['Status', words(s.status)],
    ['Billing', `${money(s.unitAmount, s.currency)} per ${s.interval}`],
    ['Extra seats', String(s.seats)],
    ['Current period', `${day(s.currentPeriodStart)} – ${day(s.currentPeriodEnd)}`],
  ];
  const packs = Object.entries(s.addOns).filter(([, n]) => n > 0);
  if (packs.length) rows.push(['Add-ons', packs.map(([id, n]) => `${words(id)} × ${n}`).join(', ')]);
  if (s.discount) rows.push(['Discount', discountWords(s.discount)]);
  return section(
    'Your plan',
    h(
      'dl',
      { class: 'facts' },
      ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': k.toLowerCase().replace(' ', '-') }, v)]),
    ),
    s.status === 'paused'
      ? unpauseButton(act)
      : s.cancelAtPeriodEnd || s.scheduledChange
        ? resumeButton(act)
        : cancelControls(s, act),
    s.status === 'incomplete' ? null : discountControls(s, act),
  );
}

type Discount = NonNullable<Subscription['discount']>;

/** E.g. "20 % off, forever (SPRING20)" or "$5.00 off, until Mar 1, 2027". */
function discountWords(d: Discount): string {
  const off = d.percentOff !== null ? `${d.percentOff} %` : money(d.amountOff ?? 0, d.currency ?? 'usd');
  const lasts =
    d.duration === 'repeating' && d.endsAt
      ? `until ${day(d.endsAt)}`
      : d.duration === 'once'
        ? 'on the next invoice'
        : 'forever';
  return `${off} off, ${lasts}${d.promotionCode ? ` (${d.promotionCode})` : ''}`;
}

/** A promotion code to redeem (POST /subscription/discount), or the discount in force to take off. */
function discountControls(s: Subscription, act: Act): HTMLElement {
  // A fresh key per attempt: a refused code retried as another code must not replay the refusal.
  const header = () => ({ 'idempotency-key': idempotencyKey() });
  if (s.discount)
    return h(
      'button',
      {
        type: 'button',
        onclick: () =>
          act('Discount removed', () =>
            data(api.DELETE('/api/v1/billing/subscription/discount', { params: { header: header() } })),
          ),
      },
      'Remove discount',
    );
  const code = h('input', { name: 'promotionCode', autocomplete: 'off', maxlength: 40, required: true });
  return h(
    'form',
    {
      class: 'promotion-code',
      onsubmit: (event) => {
        event.preventDefault();
        void act('Promotion code applied', () =>
          data(
            api.POST('/api/v1/billing/subscription/discount', {
              body: { promotionCode: code.value.trim() },
              params: { header: header() },
            }),
          ),
        );
      },
    },
    field('Promotion code', code),
    h('button', { type: 'submit' }, 'Apply'),
  );
}

/**
 * Runs a user action: a refusal is shown with the API's message and request id; with a label (a change was made)
 * the label is announced and the page redrawn from the API; without one (a step inside a form) nothing is redrawn.
 */
export type Act = (label: string, run: () => Promise<unknown>) => Promise<void>;

function resumeButton(act: Act): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      onclick: () =>
        act('Subscription resumed', () =>
          data(
            api.POST('/api/v1/billing/subscription/resume', {
              params: { header: { 'idempotency-key': idempotencyKey() } },
            }),
          ),
        ),
    },
    'Resume subscription',
  );
}

function unpauseButton(act: Act): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      onclick: () =>
        act('Billing resumed', () =>
          data(
            api.DELETE('/api/v1/billing/subscription/pause', {
              params: { header: { 'idempotency-key': idempotencyKey() } },
            }),
          ),
        ),
    },
    'End the pause',
  );
}

function cancelControls(s: Subscription, act: Act): HTMLElement {
  const confirm = h(
    'div',
    { class: 'confirm', hidden: true },
    h('p', {}, `Cancel at the end of the period (${day(s.currentPeriodEnd)})? You keep ${s.plan} until then.`),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () =>
          act('Cancellation scheduled', () =>
            data(
              api.DELETE('/api/v1/billing/subscription', {
                params: { query: { immediate: 'false' }, header: { 'idempotency-key': idempotencyKey() } },
              }),
            ),
          ),
      },
      'Cancel at period end',
    ),
    h('button', { type: 'button', onclick: () => (confirm.hidden = true) }, 'Keep my subscription'),
  );
  const open = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        confirm.hidden = false;
        confirm.querySelector('button')?.focus();
      },
    },
    'Cancel subscription…',
  );
  return h('div', {}, open, confirm);
}
