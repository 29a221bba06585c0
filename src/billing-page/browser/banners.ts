import type { Subscription } from './api';
import { h } from './dom';
import { day, dayAndTime } from './format';

/** What needs the customer's attention now: a payment to confirm, failing payments, an end or a change ahead. */
export function banners(s: Subscription | null): HTMLElement[] {
  if (!s) return [];
  const out: HTMLElement[] = [];
  const banner = (tone: 'alert' | 'info', ...children: (Node | string)[]) =>
    h('div', { class: `banner ${tone}`, role: tone === 'alert' ? 'alert' : 'status' }, ...children);
  const confirmLink = () =>
    s.paymentAction?.hostedInvoiceUrl
      ? h('a', { href: s.paymentAction.hostedInvoiceUrl, class: 'button' }, 'Confirm the payment')
      : '';
  const cardLink = () => h('a', { href: '/billing/payment-method' }, 'Update your card');

  if (s.dunningPhase === 'action_required' || (s.paymentAction && s.status !== 'past_due'))
    out.push(
      banner(
        'alert',
        h('strong', {}, 'Action required: '),
        'your bank asks you to confirm a payment',
        s.dunningNextActionAt ? ` by ${dayAndTime(s.dunningNextActionAt)}. ` : '. ',
        confirmLink(),
      ),
    );
  else if (s.dunningPhase === 'retrying')
    out.push(
      banner(
        'alert',
        h('strong', {}, 'Payment failed: '),
        `we will try again on ${dayAndTime(s.dunningNextActionAt)} (attempt ${s.dunningAttempt + 1}). `,
        cardLink(),
      ),
    );
  else if (s.dunningPhase === 'grace')
    out.push(
      banner(
        'alert',
        h('strong', {}, 'Payments failed: '),
        `your plan stays active until ${dayAndTime(s.dunningNextActionAt ?? s.graceEndsAt)}, then the subscription ends. `,
        cardLink(),
      ),
    );
  if (s.cancelAtPeriodEnd && s.status !== 'canceled')
    out.push(banner('info', `Your subscription ends on ${day(s.currentPeriodEnd)}. Resume it to keep ${s.plan}.`));
  if (s.scheduledChange)
    out.push(
      banner(
        'info',
        `On ${day(s.scheduledChange.effectiveAt)} your subscription changes to ${s.scheduledChange.plan} ` +
          `(${s.scheduledChange.interval}ly, ${s.scheduledChange.seats} extra seats).`,
      ),
    );
  if (s.status === 'paused' && s.pause)
    out.push(
      banner(
        'info',
        `Billing is paused${s.pause.behavior === 'keep_access' ? ' (your plan stays usable)' : ' (free limits apply)'} ` +
          (s.pause.resumesAt ? `until ${day(s.pause.resumesAt)}.` : 'until you end the pause.'),
      ),
    );
  if (s.status === 'trialing') out.push(banner('info', `Your trial ends on ${day(s.trialEnd)}.`));
  return out;
}
