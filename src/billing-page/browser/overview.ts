import { api, data, idempotencyKey, type Subscription } from './api';
import { h, section } from './dom';
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
