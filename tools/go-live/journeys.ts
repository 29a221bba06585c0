import type Stripe from 'stripe';
import { PLANS } from '../../src/domain/plans';
import { ingestUsage, type ApiClient, type Invoice, type SubscriptionState } from '../demo/api-client';
import type { OrgClock } from '../demo/clock-driver';
import { done, notYet, waitFor } from '../demo/wait';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A journey step that cannot run against this target; the report says why (never counted as passed). */
export class Skip extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Skip';
  }
}

export interface Budgets {
  /** A test clock advance until Stripe reports it ready. */
  clockMs: number;
  /** Webhooks, the workflow and the read model catching up after something happened in Stripe. */
  settleMs: number;
}

export interface JourneyContext {
  org: { organizationId: string; email: string };
  api: ApiClient;
  clock: OrgClock;
  /** Stripe's public API, as the operator's account sees it. */
  stripe: Stripe;
  budgets: Budgets;
  /** Plays the customer's part of 3-D Secure; on real Stripe throws Skip with the page to complete by hand. */
  challenge(paymentIntentId: string, hostedInvoiceUrl: string | null): Promise<void>;
  apiUrl: string;
  usageToken: string | undefined;
}

export interface Journey {
  name: string;
  title: string;
  /** Returns what it proved, in one line. */
  run(ctx: JourneyContext): Promise<string>;
}

const usd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;
const priceOf = (plan: 'starter' | 'professional'): number => PLANS[plan].price.unitAmount ?? 0;
/** A period's charged invoice; without a trial the first period is `subscription_create`, so the renewal is the first of these. */
const isPaidCycle = (i: Invoice): boolean =>
  i.billingReason === 'subscription_cycle' && i.status === 'paid' && i.amountPaid > 0;

function describe(s: SubscriptionState): string {
  const sub = s.subscription;
  return sub
    ? `${sub.status} on ${sub.plan}, period end ${sub.currentPeriodEnd ?? '—'}, dunning ${sub.dunningPhase ?? 'none'}`
    : 'no subscription';
}

function until(ctx: JourneyContext, what: string, test: (s: SubscriptionState) => boolean): Promise<SubscriptionState> {
  return waitFor(
    what,
    async () => {
      const state = await ctx.api.getSubscription();
      return test(state) ? done(state) : notYet(describe(state));
    },
    { timeoutMs: ctx.budgets.settleMs, intervalMs: 500 },
  );
}

function invoiceUntil(ctx: JourneyContext, what: string, test: (i: Invoice) => boolean, atLeast = 1): Promise<Invoice> {
  return waitFor(
    what,
    async () => {
      const invoices = await ctx.api.listInvoices();
      const matching = invoices.filter(test);
      return matching.length >= atLeast && matching[0]
        ? done(matching[0])
        : notYet(invoices.map((i) => `${i.billingReason}/${i.status}/${i.amountPaid}`).join(', ') || 'no invoices');
    },
    { timeoutMs: ctx.budgets.settleMs, intervalMs: 500 },
  );
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Subscribes without a trial and attaches the customer's test clock; answers the state. */
async function subscribed(ctx: JourneyContext, plan: 'starter' | 'professional', card: string) {
  const state = await ctx.api.subscribe(plan, card, undefined, { skipTrial: true });
  await ctx.clock.attach();
  return state;
}

async function stripeSubscription(ctx: JourneyContext): Promise<Stripe.Subscription> {
  const [customer] = (await ctx.stripe.customers.list({ email: ctx.org.email, limit: 1 })).data;
  if (!customer) throw new Error(`no Stripe customer with ${ctx.org.email}`);
  const [sub] = (
    await ctx.stripe.subscriptions.list({
      customer: customer.id,
      status: 'all',
      limit: 1,
      expand: ['data.items.data.price'],
    })
  ).data;
  if (!sub) throw new Error(`customer ${customer.id} has no subscription`);
  return sub;
}

async function renew(ctx: JourneyContext): Promise<void> {
  const before = await ctx.api.getSubscription();
  const end = Date.parse(before.subscription?.currentPeriodEnd ?? '');
  expect(Number.isFinite(end), `no period end to renew at: ${describe(before)}`);
  await ctx.clock.advanceTo(end + HOUR_MS);
}

/** The PaymentIntent behind an invoice (what its hosted page confirms). */
async function paymentIntentOf(ctx: JourneyContext, invoiceId: string): Promise<string> {
  const invoice = await ctx.stripe.invoices.retrieve(invoiceId, { expand: ['payments.data.payment.payment_intent'] });
  const intent = invoice.payments?.data.at(-1)?.payment.payment_intent;
  const id = typeof intent === 'string' ? intent : intent?.id;
  if (!id) throw new Error(`invoice ${invoiceId} has no PaymentIntent`);
  return id;
}

export const JOURNEYS: readonly Journey[] = [
  {
    name: 'trial-renewal',
    title: 'subscribe with a trial → trial end charged → a renewal charged',
    async run(ctx) {
      const state = await ctx.api.subscribe('starter', 'pm_card_visa');
      await ctx.clock.attach();
      const trialEnd = Date.parse(state.subscription?.trialEnd ?? '');
      expect(
        state.subscription?.status === 'trialing' && Number.isFinite(trialEnd),
        `not trialing: ${describe(state)}`,
      );
      await ctx.clock.advanceTo(trialEnd + HOUR_MS);
      await until(ctx, 'active after the trial', (s) => s.subscription?.status === 'active');
      const first = await invoiceUntil(ctx, 'the first period paid', isPaidCycle);
      expect(
        first.amountPaid === priceOf('starter'),
        `first period charged ${usd(first.amountPaid)}, plan price ${usd(priceOf('starter'))}`,
      );
      await renew(ctx);
      await invoiceUntil(ctx, 'the renewal paid', isPaidCycle, 2);
      const after = await until(
        ctx,
        'active in the next period',
        (s) =>
          s.subscription?.status === 'active' &&
          Date.parse(s.subscription.currentPeriodEnd ?? '') > trialEnd + 40 * DAY_MS,
      );
      return `trialing → active, ${usd(first.amountPaid)} × 2 paid, period until ${after.subscription?.currentPeriodEnd}`;
    },
  },
  {
    name: 'upgrade-as-previewed',
    title: 'a previewed mid-period upgrade is charged exactly as previewed',
    async run(ctx) {
      await subscribed(ctx, 'starter', 'pm_card_visa');
      await ctx.clock.advanceBy(10 * DAY_MS);
      const preview = await ctx.api.previewChange('professional');
      const change = await ctx.api.changePlan('professional');
      const invoice = await invoiceUntil(
        ctx,
        'the proration invoice paid',
        (i) => i.billingReason === 'subscription_update' && i.status === 'paid',
      );
      expect(
        invoice.amountPaid === preview.amountDueNow,
        `charged ${usd(invoice.amountPaid)}, previewed ${usd(preview.amountDueNow)}`,
      );
      expect(change.effectivePlan === 'professional', `effective plan ${change.effectivePlan} after the upgrade`);
      return `preview ${usd(preview.amountDueNow)} = proration invoice ${invoice.stripeInvoiceId} paid ${usd(invoice.amountPaid)}`;
    },
  },
  {
    name: 'downgrade-at-boundary',
    title: 'a downgrade waits for the period end, then renews at the lower price',
    async run(ctx) {
      await subscribed(ctx, 'professional', 'pm_card_visa');
      const change = await ctx.api.changePlan('starter');
      const now = await ctx.api.getSubscription();
      expect(
        now.effectivePlan === 'professional',
        `effective plan ${now.effectivePlan} right after the downgrade (${change.change})`,
      );
      await renew(ctx);
      const after = await until(
        ctx,
        'on starter after the renewal',
        (s) => s.subscription?.plan === 'starter' && s.subscription.status === 'active',
      );
      const renewal = await invoiceUntil(ctx, 'the renewal paid', isPaidCycle);
      expect(
        renewal.amountPaid === priceOf('starter'),
        `the renewal charged ${usd(renewal.amountPaid)}, starter costs ${usd(priceOf('starter'))}`,
      );
      const price = (await stripeSubscription(ctx)).items.data.find(
        (i) => i.price.recurring?.usage_type !== 'metered',
      )?.price;
      expect(
        price?.lookup_key === PLANS.starter.price.lookupKey,
        `Stripe's licensed price is ${price?.lookup_key ?? 'none'}`,
      );
      return `${change.change} → still professional until the boundary → ${after.effectivePlan}, renewal ${usd(renewal.amountPaid)}`;
    },
  },
  {
    name: 'dunning-recovery',
    title: 'a failed renewal → past_due → a new card pays at once',
    async run(ctx) {
      await subscribed(ctx, 'starter', 'pm_card_visa');
      await ctx.api.updatePaymentMethod('pm_card_chargeCustomerFail');
      await renew(ctx);
      await until(ctx, 'past_due after the declined renewal', (s) => s.subscription?.status === 'past_due');
      const result = await ctx.api.updatePaymentMethod('pm_card_visa');
      expect(result.retry === 'paid', `the retry with the new card answered ${result.retry}`);
      await until(ctx, 'active again', (s) => s.subscription?.status === 'active');
      return 'renewal declined → past_due → POST /payment-method → retried, paid → active';
    },
  },
  {
    name: 'dunning-cancel',
    title: 'a renewal that never gets paid → retries → grace → canceled, back on free',
    async run(ctx) {
      await subscribed(ctx, 'starter', 'pm_card_visa');
      await ctx.api.updatePaymentMethod('pm_card_chargeCustomerFail');
      await renew(ctx);
      const failing = await until(
        ctx,
        'past_due after the declined renewal',
        (s) => s.subscription?.status === 'past_due',
      );
      const next = Date.parse(failing.subscription?.dunningNextActionAt ?? '');
      if (Number.isFinite(next) && next - Date.now() > 10 * 60_000)
        throw new Skip(
          `the service's next retry is at ${failing.subscription?.dunningNextActionAt}: its retries run on real time (BILLING_POLICY_PROFILE=standard, days apart). Run the service with BILLING_POLICY_PROFILE=demo for this journey`,
        );
      const ended = await waitFor(
        'canceled after grace',
        async () => {
          const s = await ctx.api.getSubscription();
          return s.subscription?.status === 'canceled' ? done(s) : notYet(describe(s));
        },
        { timeoutMs: ctx.budgets.settleMs + 3 * 60_000, intervalMs: 1_000 },
      );
      expect(ended.effectivePlan === 'free', `effective plan ${ended.effectivePlan} after the end`);
      const sub = await stripeSubscription(ctx);
      expect(sub.status === 'canceled', `Stripe's subscription is ${sub.status}`);
      return 'declined → retries on the workflow timers → grace → canceled in Stripe → free';
    },
  },
  {
    name: 'cancel-resume',
    title: 'cancel at period end, resume, and the renewal still happens',
    async run(ctx) {
      await subscribed(ctx, 'starter', 'pm_card_visa');
      const canceled = await ctx.api.cancel(false);
      expect(
        canceled.subscription?.cancelAtPeriodEnd === true,
        `cancelAtPeriodEnd ${canceled.subscription?.cancelAtPeriodEnd}`,
      );
      expect((await stripeSubscription(ctx)).cancel_at_period_end, 'Stripe does not have cancel_at_period_end');
      const resumed = await ctx.api.resume();
      expect(resumed.subscription?.cancelAtPeriodEnd === false, 'still canceling after resume');
      expect(
        !(await stripeSubscription(ctx)).cancel_at_period_end,
        'Stripe still has cancel_at_period_end after resume',
      );
      await renew(ctx);
      await invoiceUntil(ctx, 'the renewal paid', isPaidCycle);
      const after = await until(ctx, 'active after the renewal', (s) => s.subscription?.status === 'active');
      return `cancel → resume → renewed, ${after.subscription?.status} until ${after.subscription?.currentPeriodEnd}`;
    },
  },
  {
    name: 'usage-overage',
    title: 'usage past the plan limit is billed on the renewal invoice',
    async run(ctx) {
      const token = ctx.usageToken;
      if (!token)
        throw new Skip('no usage service token (set GO_LIVE_USAGE_TOKEN to one of the service USAGE_SERVICE_TOKENS)');
      await subscribed(ctx, 'starter', 'pm_card_visa');
      const limit = PLANS.starter.limits.messages;
      const overage = PLANS.starter.overage.messages;
      expect(limit > 0 && overage !== undefined, 'starter has no messages limit with overage');
      const events = [limit, 1_500].map((quantity, i) => ({
        id: `${ctx.org.organizationId}-m-${i}`,
        organizationId: ctx.org.organizationId,
        metric: 'messages' as const,
        quantity,
        timestamp: new Date().toISOString(),
      }));
      const accepted = await ingestUsage(ctx.apiUrl, token, events);
      expect(accepted.accepted === events.length, `usage accepted ${accepted.accepted} of ${events.length}`);
      const blocks = Math.ceil(1_500 / (overage?.blockSize ?? 1));
      const sub = await stripeSubscription(ctx);
      const metered = sub.items.data.find((i) => i.price.lookup_key === overage?.lookupKey);
      if (!metered) throw new Error(`the subscription has no item for ${overage?.lookupKey}`);
      const meter = typeof metered.price.recurring?.meter === 'string' ? metered.price.recurring.meter : '';
      await waitFor(
        `${blocks} overage blocks on Stripe's meter`,
        async () => {
          const [summary] = (
            await ctx.stripe.billing.meters.listEventSummaries(meter, {
              customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
              start_time: metered.current_period_start,
              end_time: metered.current_period_end,
            })
          ).data;
          const value = summary?.aggregated_value ?? 0;
          return value >= blocks ? done(value) : notYet(`${value} blocks`);
        },
        // Stripe aggregates meter events asynchronously (minutes in test mode).
        { timeoutMs: ctx.budgets.settleMs * 2, intervalMs: 1_000 },
      );
      await renew(ctx);
      await invoiceUntil(ctx, 'the renewal paid', isPaidCycle);
      const [invoice] = (await ctx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
      const line = invoice?.lines.data.find(
        (l) => l.pricing?.price_details?.price === metered.price.id && l.amount > 0,
      );
      const expected = blocks * (overage?.unitAmount ?? 0);
      expect(
        line?.amount === expected,
        `renewal invoice ${invoice?.id} overage line ${line ? usd(line.amount) : 'missing'}, expected ${usd(expected)}`,
      );
      return `${(limit + 1_500).toLocaleString('en-US')} messages on a ${limit.toLocaleString('en-US')} limit → ${blocks} block(s) on the meter → ${usd(expected)} on renewal invoice ${invoice?.id}`;
    },
  },
  {
    name: 'sca-subscribe',
    title: 'a first payment that needs 3-D Secure → the customer completes it → active',
    async run(ctx) {
      const state = await subscribed(ctx, 'starter', 'pm_card_authenticationRequired');
      const action = state.subscription?.paymentAction;
      expect(
        state.subscription?.status === 'incomplete' && action?.type === 'requires_action',
        `no payment action: ${describe(state)}`,
      );
      await ctx.challenge(action?.paymentIntentId ?? '', action?.hostedInvoiceUrl ?? null);
      const active = await until(ctx, 'active after 3-D Secure', (s) => s.subscription?.status === 'active');
      return `incomplete with paymentAction → challenge passed → ${active.subscription?.status} on ${active.effectivePlan}`;
    },
  },
  {
    name: 'sca-renewal',
    title: 'an off-session renewal that needs 3-D Secure → action required → completed → active',
    async run(ctx) {
      await subscribed(ctx, 'starter', 'pm_card_visa');
      await ctx.api.updatePaymentMethod('pm_card_authenticationRequired');
      await renew(ctx);
      const waiting = await until(
        ctx,
        'action required after the renewal',
        (s) => s.subscription?.dunningPhase === 'action_required',
      );
      const action = waiting.subscription?.paymentAction;
      if (!action) throw new Error(`no payment action: ${describe(waiting)}`);
      await ctx.challenge(await paymentIntentOf(ctx, action.invoiceId), action.hostedInvoiceUrl);
      await until(
        ctx,
        'active after the renewal was confirmed',
        (s) => s.subscription?.status === 'active' && !s.subscription.dunningPhase,
      );
      return 'renewal → action_required (no blind retries) → challenge passed → paid, active';
    },
  },
];
