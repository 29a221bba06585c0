import { notificationDataSchemas } from '../../../src/notifications/templates';
import { ApplicationFailure } from '@temporalio/common';
import type {
  BillingActivities,
  InvoiceSnapshot,
  PaymentError,
  SubscriptionProjection,
  SubscriptionSnapshot,
} from '../../../src/activities/types';
import { declineMessage } from '../../../src/domain/decline-messages';
import { getPlan, type PlanId } from '../../../src/domain/plans';
import { DEFAULT_TERMS, renewalAmount, type Terms } from '../../../src/domain/pricing';
import type { NotificationRequest } from '../../../src/notifications/types';
import type { DiscountView } from '../../../src/domain/discounts';

export const DAY = 86_400_000;
export const AUTH_CARD = 'pm_authentication_required';
/** The fake bills in fixed 30-day periods; enough to walk a year. */
export const PERIOD = 30 * DAY;
/** A yearly term in the fake. */
export const YEAR = 365 * DAY;

interface FakeSubscription {
  id: string;
  customerId: string;
  organizationId: string;
  plan: PlanId;
  status: string;
  periodStart: number;
  periodEnd: number;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  defaultPaymentMethod: string | null;
  latestInvoiceId: string | null;
  /** An upgrade held by Stripe until its proration invoice is paid (payment_behavior pending_if_incomplete). */
  pendingUpdate?: { plan: PlanId; invoiceId: string; expiresAt: number; terms?: Terms };
  terms: Terms;
  /** A subscription schedule's next phase: the items switch at the period end. */
  schedule?: { id: string; plan: PlanId; terms: Terms };
  /** Stripe's pause_collection: renewals still invoice, but nothing is attempted (voided, uncollectible or draft). */
  pauseCollection?: { behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void'; resumesAt: number | null };
  /** An enterprise contract's price; with daysUntilDue its invoices are sent for payment, not charged. */
  contract?: { amount: number; daysUntilDue: number | null };
  /** The promotion code's discount (absent: never set, null: removed). */
  discount?: DiscountView | null;
}

interface FakeInvoice {
  id: string;
  subscriptionId: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  amount: number;
  attempts: number;
  finalizedAt: number;
  lastError: PaymentError | null;
  paidCount: number;
  /** The PaymentIntent waits for the customer to authenticate (3-D Secure). */
  requiresAction?: boolean;
  /** Sent for payment (collection by invoice): due then, never attempted. */
  dueAt?: number;
}

/** Stripe expires an incomplete first payment, and a pending update, after 23 hours. */
const ACTION_WINDOW = 23 * 3_600_000;

/**
 * A tiny in-memory Stripe behind the activity contract, driven by the workflow's clock (`asOf`): asking it
 * anything after a period end renews (and charges) first, like Stripe would have done meanwhile. Cards are
 * named by behaviour: `pm_ok` pays, `pm_<decline_code>` declines with that code, `pm_authentication_required`
 * needs the customer (3-D Secure) on every payment until `authenticate` plays the customer's part.
 */
export class FakeStripe {
  now = 0;
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly invoices = new Map<string, FakeInvoice>();
  readonly customers = new Map<string, { organizationId: string; defaultPaymentMethod: string | null }>();
  readonly payCalls: { invoiceId: string; attempt: number; at: number; outcome: string }[] = [];
  readonly calls: { name: string; at: number; args: unknown }[] = [];
  readonly notifications: NotificationRequest[] = [];
  /** Notifications whose data the real templates would reject; the test env fails the suite on any. */
  readonly invalidNotifications: string[] = [];
  readonly projections: SubscriptionProjection[] = [];
  private readonly createdBySteps = new Map<string, string>();
  /** Promotion codes the fake Stripe knows (by code): a code not here is refused as Stripe's list finds nothing. */
  readonly promotionCodes = new Map<string, DiscountView>();
  private seq = 0;

  private id(prefix: string): string {
    return `${prefix}_${++this.seq}`;
  }

  private tick(asOf: number): void {
    this.now = Math.max(this.now, asOf);
    for (const sub of this.subscriptions.values()) {
      if (sub.status === 'incomplete' && sub.periodStart + ACTION_WINDOW <= this.now) {
        Object.assign(sub, { status: 'incomplete_expired', endedAt: sub.periodStart + ACTION_WINDOW });
        if (sub.latestInvoiceId) this.inv(sub.latestInvoiceId).status = 'void';
      }
      if (sub.pendingUpdate && sub.pendingUpdate.expiresAt <= this.now) delete sub.pendingUpdate;
      this.renew(sub);
    }
  }

  private cardFor(sub: FakeSubscription): string | null {
    return sub.defaultPaymentMethod ?? this.customers.get(sub.customerId)?.defaultPaymentMethod ?? null;
  }

  private charge(card: string | null): PaymentError | null {
    if (card === 'pm_ok') return null;
    if (card === AUTH_CARD)
      return {
        code: 'authentication_required',
        declineCode: 'authentication_required',
        adviceCode: null,
        message: declineMessage('authentication_required'),
      };
    const declineCode = card ? card.replace(/^pm_/, '') : 'no_payment_method';
    return { code: 'card_declined', declineCode, adviceCode: null, message: declineMessage(declineCode) };
  }

  private renew(sub: FakeSubscription): void {
    // Stripe's own paused status stops the billing cycle: nothing renews until the subscription is resumed.
    while (sub.status !== 'canceled' && sub.status !== 'paused' && sub.periodEnd <= this.now) {
      const end = sub.periodEnd;
      if (sub.cancelAtPeriodEnd || (sub.status === 'trialing' && this.cardFor(sub) === null)) {
        Object.assign(sub, { status: 'canceled', endedAt: end, canceledAt: sub.canceledAt ?? end });
        return;
      }
      if (sub.schedule) {
        // The schedule's next phase starts at the boundary and then releases.
        Object.assign(sub, { plan: sub.schedule.plan, terms: sub.schedule.terms });
        delete sub.schedule;
      }
      Object.assign(sub, { periodStart: end, periodEnd: end + periodOf(sub.terms) });
      if (sub.pauseCollection) this.pausedInvoice(sub, this.amountFor(sub), end);
      else if (sub.contract?.daysUntilDue != null) this.sentInvoice(sub, end);
      else this.invoice(sub, this.amountFor(sub), end);
    }
  }

  /** A finalized invoice with Stripe's own first payment attempt. */
  private invoice(sub: FakeSubscription, amount: number, at: number): FakeInvoice {
    const inv: FakeInvoice = {
      id: this.id('in'),
      subscriptionId: sub.id,
      status: 'open',
      amount,
      attempts: 1,
      finalizedAt: at,
      lastError: null,
      paidCount: 0,
    };
    this.invoices.set(inv.id, inv);
    sub.latestInvoiceId = inv.id;
    inv.lastError = this.charge(this.cardFor(sub));
    inv.requiresAction = inv.lastError?.code === 'authentication_required';
    if (inv.lastError === null) inv.status = 'paid';
    if (inv.status === 'paid') inv.paidCount = 1;
    sub.status = inv.status === 'paid' ? 'active' : 'past_due';
    return inv;
  }

  private amountFor(sub: FakeSubscription): number {
    return sub.contract?.amount ?? amountOf(sub.plan, sub.terms);
  }

  /** Collection by invoice: finalized and sent, due after the contract's net terms, never attempted. */
  private sentInvoice(sub: FakeSubscription, at: number): FakeInvoice {
    const inv: FakeInvoice = {
      id: this.id('in'),
      subscriptionId: sub.id,
      status: 'open',
      amount: this.amountFor(sub),
      attempts: 0,
      finalizedAt: at,
      lastError: null,
      paidCount: 0,
      dueAt: at + sub.contract!.daysUntilDue! * DAY,
    };
    this.invoices.set(inv.id, inv);
    sub.latestInvoiceId = inv.id;
    return inv;
  }

  /** A renewal while collection is paused: made, never attempted, handled per pause_collection.behavior. */
  private pausedInvoice(sub: FakeSubscription, amount: number, at: number): void {
    const behavior = sub.pauseCollection!.behavior;
    const status = behavior === 'void' ? 'void' : behavior === 'mark_uncollectible' ? 'uncollectible' : 'draft';
    const inv: FakeInvoice = {
      id: this.id('in'),
      subscriptionId: sub.id,
      status,
      amount,
      attempts: 0,
      finalizedAt: at,
      lastError: null,
      paidCount: 0,
    };
    this.invoices.set(inv.id, inv);
    sub.latestInvoiceId = inv.id;
  }

  private invoiceSnapshot(inv: FakeInvoice): InvoiceSnapshot {
    return {
      id: inv.id,
      status: inv.status,
      amountDue: inv.amount,
      amountRemaining: inv.status === 'paid' ? 0 : inv.amount,
      currency: 'usd',
      attemptCount: inv.attempts,
      billingReason: 'subscription_cycle',
      finalizedAt: inv.finalizedAt,
      hostedInvoiceUrl: `https://pay.example/${inv.id}`,
      lastPaymentError: inv.status === 'paid' ? null : inv.lastError,
      dueDate: inv.dueAt ?? null,
      paymentIntent: {
        id: `pi_${inv.id}`,
        status:
          inv.status === 'paid' ? 'succeeded' : inv.requiresAction ? 'requires_action' : 'requires_payment_method',
        clientSecret: `pi_${inv.id}_secret`,
      },
    };
  }

  snapshot(sub: FakeSubscription): SubscriptionSnapshot {
    const latest = sub.latestInvoiceId ? this.invoices.get(sub.latestInvoiceId) : undefined;
    return {
      id: sub.id,
      customerId: sub.customerId,
      organizationId: sub.organizationId,
      stripeStatus: sub.status,
      plan: sub.plan,
      unitAmount: sub.contract?.amount ?? getPlan(sub.plan).price.unitAmount ?? 0,
      currency: 'usd',
      currentPeriodStart: sub.periodStart,
      currentPeriodEnd: sub.periodEnd,
      trialEnd: sub.trialEnd,
      cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
      canceledAt: sub.canceledAt,
      endedAt: sub.endedAt,
      defaultPaymentMethodId: this.cardFor(sub),
      latestInvoice: latest ? this.invoiceSnapshot(latest) : null,
      pendingUpdateExpiresAt: sub.pendingUpdate?.expiresAt ?? null,
      interval: sub.terms.interval,
      seats: sub.terms.seats,
      addOns: sub.terms.addOns,
      scheduleId: sub.schedule?.id ?? null,
      pauseCollection: sub.pauseCollection ?? null,
      collectionMethod: sub.contract?.daysUntilDue != null ? 'send_invoice' : 'charge_automatically',
      ...(sub.discount !== undefined ? { discount: sub.discount } : {}),
    };
  }

  private sub(id: string): FakeSubscription {
    const sub = this.subscriptions.get(id);
    if (!sub) throw ApplicationFailure.nonRetryable(`no such subscription ${id}`, 'InvalidRequest');
    return sub;
  }

  private inv(id: string): FakeInvoice {
    const inv = this.invoices.get(id);
    if (!inv) throw ApplicationFailure.nonRetryable(`no such invoice ${id}`, 'InvalidRequest');
    return inv;
  }

  // ---- test controls: what happens in Stripe without the workflow asking ----

  /** The customer's card starts (or stops) declining, e.g. the account ran dry. */
  setCardBehaviour(subscriptionId: string, card: string): void {
    const sub = this.sub(subscriptionId);
    sub.defaultPaymentMethod = null;
    const customer = this.customers.get(sub.customerId);
    if (customer) customer.defaultPaymentMethod = card;
  }

  /** Someone paid the invoice elsewhere (hosted invoice page, Dashboard). */
  payOutOfBand(invoiceId: string): void {
    const inv = this.inv(invoiceId);
    if (inv.status !== 'open') throw new Error(`invoice ${invoiceId} is ${inv.status}`);
    Object.assign(inv, { status: 'paid', paidCount: inv.paidCount + 1 });
    this.sub(inv.subscriptionId).status = 'active';
  }

  /** Plays the customer's part of 3-D Secure on the invoice's PaymentIntent (Stripe's test page in a browser). */
  authenticate(invoiceId: string, outcome: 'succeed' | 'fail'): void {
    const inv = this.inv(invoiceId);
    if (inv.status !== 'open' || !inv.requiresAction)
      throw new Error(`invoice ${invoiceId} waits for no authentication`);
    inv.requiresAction = false;
    if (outcome === 'fail') {
      inv.lastError = {
        code: 'payment_intent_authentication_failure',
        declineCode: null,
        adviceCode: null,
        message: declineMessage(null),
      };
      return;
    }
    Object.assign(inv, { status: 'paid', lastError: null, paidCount: inv.paidCount + 1 });
    const sub = this.sub(inv.subscriptionId);
    if (sub.pendingUpdate?.invoiceId === invoiceId) {
      sub.plan = sub.pendingUpdate.plan;
      if (sub.pendingUpdate.terms) sub.terms = sub.pendingUpdate.terms;
      delete sub.pendingUpdate;
    }
    if (sub.status !== 'canceled') sub.status = 'active';
  }

  /** Pauses collection in the Dashboard (the relay will announce customer.subscription.updated). */
  pauseInDashboard(subscriptionId: string, behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void'): void {
    this.sub(subscriptionId).pauseCollection = { behavior, resumesAt: null };
  }

  /** Stripe's own `paused` status: a trial that ended without a payment method under end_behavior=pause. */
  pauseAtTrialEnd(subscriptionId: string): void {
    Object.assign(this.sub(subscriptionId), { status: 'paused', trialEnd: this.now, periodEnd: this.now });
  }

  /** A subscription created outside the API (the relay will announce it). */
  createExternal(organizationId: string, plan: PlanId, at: number): string {
    const customerId = this.id('cus');
    this.customers.set(customerId, { organizationId, defaultPaymentMethod: 'pm_ok' });
    const sub = this.newSubscription(organizationId, customerId, plan, at, 0);
    this.invoice(sub, getPlan(plan).price.unitAmount ?? 0, at);
    return sub.id;
  }

  onlySubscriptionOf(organizationId: string): FakeSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.organizationId === organizationId);
  }

  private newSubscription(
    organizationId: string,
    customerId: string,
    plan: PlanId,
    at: number,
    trialDays: number,
    terms: Terms = DEFAULT_TERMS,
  ): FakeSubscription {
    const trialEnd = trialDays > 0 ? at + trialDays * DAY : null;
    const sub: FakeSubscription = {
      id: this.id('sub'),
      customerId,
      organizationId,
      plan,
      status: trialEnd ? 'trialing' : 'active',
      periodStart: at,
      periodEnd: trialEnd ?? at + periodOf(terms),
      terms,
      trialEnd,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      endedAt: null,
      defaultPaymentMethod: null,
      latestInvoiceId: null,
    };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  private record(name: string, at: number, args: unknown): void {
    this.calls.push({ name, at, args });
  }

  activities(): BillingActivities {
    return {
      ensureCustomer: async ({ organizationId, asOf }) => {
        this.tick(asOf);
        this.record('ensureCustomer', asOf, organizationId);
        const existing = [...this.customers.entries()].find(([, c]) => c.organizationId === organizationId);
        if (existing) return { customerId: existing[0], testClockId: null };
        const customerId = this.id('cus');
        this.customers.set(customerId, { organizationId, defaultPaymentMethod: null });
        return { customerId, testClockId: null };
      },
      attachPaymentMethod: async ({ customerId, paymentMethodId, subscriptionId }) => {
        this.record('attachPaymentMethod', this.now, paymentMethodId);
        const customer = this.customers.get(customerId);
        if (!customer) throw ApplicationFailure.nonRetryable('no such customer', 'InvalidRequest');
        customer.defaultPaymentMethod = paymentMethodId;
        if (subscriptionId) this.sub(subscriptionId).defaultPaymentMethod = paymentMethodId;
        return { paymentMethodId };
      },
      createSubscription: async ({ organizationId, customerId, plan, trialDays, step, asOf, terms }) => {
        this.tick(asOf);
        this.record('createSubscription', asOf, step);
        const prior = this.createdBySteps.get(step);
        if (prior) return this.snapshot(this.sub(prior));
        const sub = this.newSubscription(organizationId, customerId, plan, asOf, trialDays, terms);
        if (trialDays === 0) {
          const inv = this.invoice(sub, amountOf(plan, sub.terms), asOf);
          // default_incomplete: a first payment that needs the customer leaves the subscription incomplete.
          if (inv.requiresAction) sub.status = 'incomplete';
          else if (inv.status !== 'paid') {
            this.subscriptions.delete(sub.id);
            throw ApplicationFailure.create({
              type: 'CardDeclined',
              message: inv.lastError?.message,
              nonRetryable: true,
              details: [inv.lastError],
            });
          }
        }
        this.createdBySteps.set(step, sub.id);
        return this.snapshot(sub);
      },
      createContractSubscription: async ({ organizationId, customerId, contract, step, asOf }) => {
        this.tick(asOf);
        this.record('createContractSubscription', asOf, { step, contract });
        const prior = this.createdBySteps.get(step);
        if (prior) return this.snapshot(this.sub(prior));
        const terms = { interval: contract.interval, seats: 0, addOns: {} };
        const sub = this.newSubscription(organizationId, customerId, 'enterprise', asOf, 0, terms);
        const { collection } = contract;
        sub.contract = {
          amount: contract.amount,
          daysUntilDue: collection.method === 'send_invoice' ? collection.daysUntilDue : null,
        };
        if (collection.method === 'send_invoice') this.sentInvoice(sub, asOf);
        else {
          const inv = this.invoice(sub, contract.amount, asOf);
          if (inv.status !== 'paid') {
            this.subscriptions.delete(sub.id);
            throw ApplicationFailure.create({
              type: 'CardDeclined',
              message: inv.lastError?.message,
              nonRetryable: true,
            });
          }
        }
        this.createdBySteps.set(step, sub.id);
        return this.snapshot(sub);
      },
      changePlan: async ({ subscriptionId, plan, mode, asOf, terms }) => {
        this.tick(asOf);
        this.record('changePlan', asOf, { subscriptionId, plan, mode, ...(terms && { terms }) });
        const sub = this.sub(subscriptionId);
        if (mode === 'upgrade' && sub.status !== 'trialing') {
          const error = this.charge(this.cardFor(sub));
          if (error?.code === 'authentication_required') {
            const inv = this.invoice(sub, (getPlan(plan).price.unitAmount ?? 0) / 2, asOf);
            sub.status = 'active';
            sub.pendingUpdate = { plan, invoiceId: inv.id, expiresAt: asOf + ACTION_WINDOW, ...(terms && { terms }) };
            return {
              outcome: 'requires_action',
              invoice: this.invoiceSnapshot(inv),
              expiresAt: sub.pendingUpdate.expiresAt,
              subscription: this.snapshot(sub),
            };
          }
          if (error) return { outcome: 'declined', error, invoiceId: null };
        }
        const target = terms ?? sub.terms;
        // A new interval resets the billing cycle: the new period starts now (Stripe's billing-cycle reset).
        if (target.interval !== sub.terms.interval && sub.status !== 'trialing')
          Object.assign(sub, { periodStart: asOf, periodEnd: asOf + periodOf(target) });
        Object.assign(sub, { plan, terms: target });
        return { outcome: 'applied', subscription: this.snapshot(sub) };
      },
      scheduleChange: async ({ subscriptionId, scheduleId, plan, terms, asOf }) => {
        this.tick(asOf);
        this.record('scheduleChange', asOf, { subscriptionId, plan, terms });
        const sub = this.sub(subscriptionId);
        sub.schedule = { id: scheduleId ?? sub.schedule?.id ?? this.id('sub_sched'), plan, terms };
        return { scheduleId: sub.schedule.id, subscription: this.snapshot(sub) };
      },
      releaseSchedule: async ({ subscriptionId, asOf }) => {
        this.tick(asOf);
        this.record('releaseSchedule', asOf, { subscriptionId });
        const sub = this.sub(subscriptionId);
        delete sub.schedule;
        return this.snapshot(sub);
      },
      previewPlanChange: async ({ plan, terms, timing }) => {
        const amount = amountOf(plan, terms ?? DEFAULT_TERMS);
        if (timing === 'at_renewal')
          return {
            plan,
            currency: 'usd',
            amountDueNow: 0,
            prorationAmount: 0,
            nextRenewalAmount: amount,
            prorationDate: this.now,
            effective: 'at_renewal',
          };
        return {
          plan,
          currency: 'usd',
          amountDueNow: amount / 2,
          prorationAmount: amount / 2,
          nextRenewalAmount: amount,
          prorationDate: this.now,
        };
      },
      applyDiscount: async ({ subscriptionId, promotionCode, asOf }) => {
        this.tick(asOf);
        this.record('applyDiscount', asOf, { subscriptionId, promotionCode });
        const discount = this.promotionCodes.get(promotionCode.toUpperCase());
        if (!discount)
          throw ApplicationFailure.create({
            type: 'InvalidRequest',
            nonRetryable: true,
            message: 'There is no such promotion code',
            details: [{ promotionCode: 'unknown' }],
          });
        const sub = this.sub(subscriptionId);
        sub.discount = discount;
        return this.snapshot(sub);
      },
      removeDiscount: async ({ subscriptionId, asOf }) => {
        this.tick(asOf);
        this.record('removeDiscount', asOf, { subscriptionId });
        const sub = this.sub(subscriptionId);
        sub.discount = null;
        return this.snapshot(sub);
      },
      pauseCollection: async ({ subscriptionId, behavior, asOf }) => {
        this.tick(asOf);
        this.record('pauseCollection', asOf, { subscriptionId, behavior });
        const sub = this.sub(subscriptionId);
        sub.pauseCollection = { behavior, resumesAt: null };
        return this.snapshot(sub);
      },
      resumeCollection: async ({ subscriptionId, asOf }) => {
        this.tick(asOf);
        this.record('resumeCollection', asOf, { subscriptionId });
        const sub = this.sub(subscriptionId);
        delete sub.pauseCollection;
        if (sub.status === 'paused') {
          // /resume: a new period starts now and is invoiced (billing_cycle_anchor=now).
          Object.assign(sub, { status: 'active', periodStart: asOf, periodEnd: asOf + periodOf(sub.terms) });
          this.invoice(sub, amountOf(sub.plan, sub.terms), asOf);
        }
        return this.snapshot(sub);
      },
      setCancelAtPeriodEnd: async ({ subscriptionId, cancelAtPeriodEnd, asOf }) => {
        this.tick(asOf);
        this.record('setCancelAtPeriodEnd', asOf, cancelAtPeriodEnd);
        const sub = this.sub(subscriptionId);
        sub.cancelAtPeriodEnd = cancelAtPeriodEnd;
        return this.snapshot(sub);
      },
      extendTrial: async ({ subscriptionId, trialEnd, asOf }) => {
        this.tick(asOf);
        const sub = this.sub(subscriptionId);
        Object.assign(sub, { trialEnd, periodEnd: trialEnd });
        return this.snapshot(sub);
      },
      cancelSubscription: async ({ subscriptionId, asOf }) => {
        this.tick(asOf);
        this.record('cancelSubscription', asOf, subscriptionId);
        const sub = this.sub(subscriptionId);
        if (sub.status !== 'canceled')
          Object.assign(sub, { status: 'canceled', endedAt: this.now, canceledAt: this.now });
        return this.snapshot(sub);
      },
      fetchSubscription: async ({ subscriptionId, asOf }) => {
        this.tick(asOf);
        this.record('fetchSubscription', asOf, subscriptionId);
        return this.snapshot(this.sub(subscriptionId));
      },
      fetchInvoice: async ({ invoiceId, asOf }) => {
        this.tick(asOf);
        return this.invoiceSnapshot(this.inv(invoiceId));
      },
      payInvoice: async ({ invoiceId, attempt, asOf }) => {
        this.tick(asOf);
        const inv = this.inv(invoiceId);
        if (inv.status !== 'open') {
          this.payCalls.push({ invoiceId, attempt, at: asOf, outcome: 'not_open' });
          return { outcome: 'not_open', invoice: this.invoiceSnapshot(inv) };
        }
        const sub = this.sub(inv.subscriptionId);
        inv.attempts++;
        inv.lastError = this.charge(this.cardFor(sub));
        this.payCalls.push({ invoiceId, attempt, at: asOf, outcome: inv.lastError ? 'declined' : 'paid' });
        if (inv.lastError) return { outcome: 'declined', error: inv.lastError, invoice: this.invoiceSnapshot(inv) };
        Object.assign(inv, { status: 'paid', paidCount: inv.paidCount + 1 });
        sub.status = 'active';
        return { outcome: 'paid', invoice: this.invoiceSnapshot(inv) };
      },
      markInvoiceUncollectible: async ({ invoiceId }) => {
        this.record('markInvoiceUncollectible', this.now, invoiceId);
        const inv = this.inv(invoiceId);
        inv.status = 'uncollectible';
        return this.invoiceSnapshot(inv);
      },
      createSetupIntent: async ({ customerId, step }) => {
        this.record('createSetupIntent', this.now, { customerId, step });
        if (!this.customers.has(customerId))
          throw ApplicationFailure.nonRetryable('no such customer', 'InvalidRequest');
        const id = `seti_${customerId}_${step.replace(/[^A-Za-z0-9]/g, '')}`;
        return { setupIntentId: id, clientSecret: `${id}_secret` };
      },
      updateCustomerProfile: async ({ customerId, profile, step }) => {
        this.record('updateCustomerProfile', this.now, { customerId, step });
        if (!this.customers.has(customerId))
          throw ApplicationFailure.nonRetryable('no such customer', 'InvalidRequest');
        return {
          ...profile,
          taxIds: profile.taxIds.map((t, i) => ({
            ...t,
            id: `txi_${customerId}_${i}`,
            country: null,
            verification: null,
          })),
        };
      },
      voidInvoice: async ({ invoiceId }) => {
        const inv = this.inv(invoiceId);
        inv.status = 'void';
        return this.invoiceSnapshot(inv);
      },
      projectSubscription: async (projection) => {
        this.projections.push(projection);
        return { applied: true };
      },
      notify: async (request) => {
        // The real notifier renders a template whose data schema is strict: hold the workflow to it.
        const parsed = notificationDataSchemas[request.kind].safeParse(request.data);
        if (!parsed.success) this.invalidNotifications.push(`${request.kind}: ${parsed.error.message}`);
        const duplicate = this.notifications.some((n) => n.dedupeKey === request.dedupeKey);
        if (!duplicate) this.notifications.push(request);
        return { enqueued: !duplicate };
      },
    };
  }
}

function periodOf(terms: Terms): number {
  return terms.interval === 'year' ? YEAR : PERIOD;
}

/** A renewal's amount: the catalog's plan, seats and add-ons on the interval (enterprise's contract price is 0 here). */
function amountOf(plan: PlanId, terms: Terms): number {
  return renewalAmount(plan, terms);
}
