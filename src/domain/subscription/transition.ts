import { isCurrency } from '../currency';
import { PROMOTION_CODE } from '../discounts';
import type { BillingPolicy } from '../billing-policy';
import { CANCEL_REFUND_POLICIES, decideCancel, decideResume } from '../cancellation';
import { classifyDecline, dunningSchedule, nextScheduledRetry } from '../dunning';
import { decidePlanChange, trialDaysFor, validateSubscribe } from '../plan-change';
import { contractRefusal, type Contract } from '../contract';
import { PAUSE_BEHAVIORS, pauseBehaviorOf, resumesAtRefusal, STRIPE_PAUSE_BEHAVIOR } from '../pause';
import { getPlan, isPlanId, type PlanId } from '../plans';
import { DEFAULT_TERMS, sameTerms, termsRefusal, type Terms } from '../pricing';
import { decideTermsChange, hasTermsArgs, type TermsChangeArgs } from '../terms-change';
import { fromStripeStatus, isOperationAllowed } from '../subscription-status';
import { backstopFor, type DeadlineKind } from './deadlines';
import { billingProfileError, type BillingProfile } from '../billing-profile';
import { BillingErrorType, billingError, type BillingError } from './errors';
import {
  RECONCILE_EVENT_PREFIX,
  type Command,
  type Continuation,
  type Effect,
  type Finish,
  type Input,
  type Notification,
  type PauseArgs,
  type StripeEventSignal,
  type SubscribeArgs,
} from './machine';
import type { InvoiceSnapshot, PaymentError, StripeCall, StripeCalls, SubscriptionSnapshot } from './stripe';
import { actionNeeded, type PaymentAction } from './payment-action';
import {
  draftOf,
  termsOf,
  toPublished,
  toView,
  type DunningState,
  type InvoiceDue,
  type PublishedSubscription,
  type SubscriptionState,
} from './state';

export interface Output {
  state: SubscriptionState;
  effects: Effect[];
}

/**
 * The subscription policy: one input (a command, webhooks delivered, a deadline reached, or the answer to a
 * Stripe call it asked for) in, the next state and what to do out. Pure: the workflow interprets the effects
 * (calls Stripe, publishes, notifies, replies) and feeds each call's answer back in. A step that needs Stripe
 * ends with one `call` effect whose continuation says where the policy resumes.
 */
export function transition(state: SubscriptionState, input: Input, policy: BillingPolicy): Output {
  const t = new Step(draftOf(state), input.now, policy);
  switch (input.type) {
    case 'events':
      t.eventsDelivered(input.events);
      break;
    case 'deadline':
      t.deadlineReached(input.kind);
      break;
    case 'result':
      t.resume(input.of, input.value);
      break;
    case 'failed':
      t.failed(input.of, input.error);
      break;
    default:
      t.command(input);
  }
  return { state: t.s, effects: t.effects };
}

type Result<K extends keyof StripeCalls> = StripeCalls[K][1];
const internal: Finish = { kind: 'internal', trialWillEnd: false };
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

class Step {
  readonly effects: Effect[] = [];
  constructor(
    readonly s: SubscriptionState,
    readonly now: number,
    readonly policy: BillingPolicy,
  ) {}

  // ---- Commands: validated again here, since the state may have moved since the validator ran. ----

  command(cmd: Command): void {
    const s = this.s;
    const refused = refusal(s, cmd, { now: this.now });
    if (refused) return this.reject(refused);
    const asOf = this.now;
    switch (cmd.type) {
      case 'subscribe':
        return this.call(
          { name: 'ensureCustomer', input: { organizationId: s.organizationId, email: cmd.args.email, asOf } },
          {
            step: 'subscribe.customer',
            args: cmd.args,
            updateId: cmd.updateId,
            asOf,
            finish: { kind: 'view' },
          },
        );
      case 'adopt':
        return this.call(
          { name: 'fetchSubscription', input: { subscriptionId: cmd.stripeSubscriptionId, asOf } },
          { step: 'adopt.fetched', finish: internal },
        );
      case 'previewPlanChange':
        return this.call(
          { name: 'previewPlanChange', input: previewInput(s, cmd.args) },
          { step: 'answer', finish: { kind: 'answer' } },
        );
      case 'createSetupIntent': {
        const customerId = s.stripeCustomerId;
        if (customerId !== null) return this.setupIntent(customerId, cmd.updateId);
        return this.call(
          { name: 'ensureCustomer', input: { organizationId: s.organizationId, asOf } },
          { step: 'setupIntent.customer', updateId: cmd.updateId, finish: { kind: 'answer' } },
        );
      }
      case 'updateBillingProfile': {
        const customerId = s.stripeCustomerId;
        if (customerId !== null) return this.billingProfile(customerId, cmd.args, cmd.updateId);
        return this.call(
          { name: 'ensureCustomer', input: { organizationId: s.organizationId, email: cmd.args.email, asOf } },
          { step: 'profile.customer', profile: cmd.args, updateId: cmd.updateId, finish: { kind: 'answer' } },
        );
      }
      case 'changePlan':
        return this.changePlan(cmd);
      case 'cancel': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        const immediate = decideCancel(s, cmd.args.atPeriodEnd).kind === 'immediate';
        const call: StripeCall = immediate
          ? {
              name: 'cancelSubscription',
              input: {
                subscriptionId,
                step: `cancel:${cmd.updateId}`,
                asOf,
                // A contract's price and terms were negotiated: the self-serve refund policy is not for it.
                ...(cmd.args.refund === 'prorated' && !s.contract && { refundUnusedTime: true }),
              },
            }
          : {
              name: 'setCancelAtPeriodEnd',
              input: { subscriptionId, cancelAtPeriodEnd: true, step: `cancel_at_period_end:${cmd.updateId}`, asOf },
            };
        return this.call(call, { step: 'observe', finish: { kind: 'view' } });
      }
      case 'resume': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        const decision = decideResume(resumeContext(s));
        if (decision.kind === 'rejected') return;
        if (!decision.undoCancel) return this.restorePlan(subscriptionId, cmd.updateId, asOf);
        return this.call(
          {
            name: 'setCancelAtPeriodEnd',
            input: { subscriptionId, cancelAtPeriodEnd: false, step: `resume_cancel:${cmd.updateId}`, asOf },
          },
          {
            step: 'resume.uncanceled',
            undoDowngrade: decision.undoDowngrade,
            updateId: cmd.updateId,
            asOf,
            finish: { kind: 'view' },
          },
        );
      }
      case 'updatePaymentMethod': {
        const customerId = s.stripeCustomerId;
        if (customerId === null)
          return this.reject(billingError(BillingErrorType.NoActiveSubscription, 'there is no subscription yet'));
        return this.call(
          {
            name: 'attachPaymentMethod',
            input: {
              organizationId: s.organizationId,
              customerId,
              paymentMethodId: cmd.args.paymentMethodId,
              subscriptionId: s.stripeSubscriptionId,
            },
          },
          { step: 'paymentMethod.attached', finish: { kind: 'paymentMethod', retry: null } },
        );
      }
      case 'pause': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        const { behavior } = cmd.args;
        return this.call(
          {
            name: 'pauseCollection',
            input: { subscriptionId, behavior: STRIPE_PAUSE_BEHAVIOR[behavior], step: `pause:${cmd.updateId}`, asOf },
          },
          { step: 'pause.set', behavior, resumesAt: cmd.args.resumesAt ?? null, finish: { kind: 'view' } },
        );
      }
      case 'unpause': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        return this.call(
          { name: 'resumeCollection', input: { subscriptionId, step: `unpause:${cmd.updateId}`, asOf } },
          { step: 'observe', finish: { kind: 'view' } },
        );
      }
      case 'applyDiscount': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        return this.call(
          {
            name: 'applyDiscount',
            input: {
              subscriptionId,
              promotionCode: cmd.args.promotionCode,
              step: `discount:${cmd.updateId}`,
              asOf,
            },
          },
          { step: 'observe', finish: { kind: 'view' } },
        );
      }
      case 'removeDiscount': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        return this.call(
          { name: 'removeDiscount', input: { subscriptionId, step: `discount_removed:${cmd.updateId}`, asOf } },
          { step: 'observe', finish: { kind: 'view' } },
        );
      }
      case 'assignContract': {
        const from = s.stripeSubscriptionId;
        // In place of a live subscription (refusal allowed it): the contract's subscription first, on the same
        // customer, so a refused card or contract leaves the old one running; then the old one is canceled.
        if (s.status !== 'none' && from !== null && s.stripeCustomerId !== null)
          return this.call(
            {
              name: 'createContractSubscription',
              input: {
                organizationId: s.organizationId,
                customerId: s.stripeCustomerId,
                contract: cmd.args.contract,
                step: `contract:${cmd.updateId}`,
                asOf,
              },
            },
            {
              step: 'contract.moved',
              contract: cmd.args.contract,
              from,
              updateId: cmd.updateId,
              asOf,
              finish: { kind: 'view' },
            },
          );
        return this.call(
          { name: 'ensureCustomer', input: { organizationId: s.organizationId, email: cmd.args.email, asOf } },
          {
            step: 'contract.customer',
            contract: cmd.args.contract,
            updateId: cmd.updateId,
            asOf,
            finish: { kind: 'view' },
          },
        );
      }
      case 'extendTrial': {
        const subscriptionId = this.subscriptionId();
        if (subscriptionId === null) return;
        return this.call(
          {
            name: 'extendTrial',
            input: { subscriptionId, trialEnd: cmd.args.trialEnd, step: `extend_trial:${cmd.updateId}`, asOf },
          },
          { step: 'observe', finish: { kind: 'view' } },
        );
      }
    }
  }

  /** Upgrades apply now and are charged now (not applied if that fails); downgrades wait for the renewal; free is cancel. */
  private changePlan(cmd: Extract<Command, { type: 'changePlan' }>): void {
    if (usesTermsPath(this.s, cmd.args)) return this.changeTerms(cmd);
    const decision = decidePlanChange(this.s, cmd.args.plan ?? this.s.plan, cmd.actor);
    const subscriptionId = this.subscriptionId();
    if (subscriptionId === null || decision.kind === 'rejected') return;
    const asOf = this.now;
    if (decision.kind === 'cancel_at_period_end') {
      return this.call(
        {
          name: 'setCancelAtPeriodEnd',
          input: { subscriptionId, cancelAtPeriodEnd: true, step: `cancel_at_period_end:${cmd.updateId}`, asOf },
        },
        { step: 'observe', finish: { kind: 'planChange', change: 'cancel_scheduled' } },
      );
    }
    const upgrade = decision.kind === 'upgrade';
    this.call(
      {
        name: 'changePlan',
        input: {
          subscriptionId,
          plan: decision.to,
          mode: upgrade ? 'upgrade' : 'next_period',
          step: `${decision.kind}:${cmd.updateId}`,
          asOf,
          ...(this.s.terms && { terms: this.s.terms }),
        },
      },
      {
        step: 'planChange.done',
        to: decision.to,
        pending: !upgrade,
        finish: { kind: 'planChange', change: upgrade ? 'upgraded' : 'downgrade_scheduled' },
      },
    );
  }

  /**
   * Interval, seats, add-ons (and plans, in runs with schedules): what costs more applies now, prorated and charged
   * like an upgrade (3-D Secure included); what costs less is put on a subscription schedule's next phase, so Stripe
   * switches the items at the period boundary (the rest of the period, overage included, stays on today's prices).
   */
  private changeTerms(cmd: Extract<Command, { type: 'changePlan' }>): void {
    const s = this.s;
    const decision = decideTermsChange(termsContext(s), cmd.args, cmd.actor);
    const subscriptionId = this.subscriptionId();
    if (subscriptionId === null || decision.kind === 'rejected') return;
    const asOf = this.now;
    if (decision.kind === 'now') {
      return this.call(
        {
          name: 'changePlan',
          input: {
            subscriptionId,
            plan: decision.plan,
            mode: 'upgrade',
            terms: decision.terms,
            step: `terms_now:${cmd.updateId}`,
            asOf,
          },
        },
        {
          step: 'planChange.done',
          to: decision.plan,
          pending: false,
          terms: decision.terms,
          finish: { kind: 'planChange', change: 'upgraded' },
        },
      );
    }
    this.call(
      {
        name: 'scheduleChange',
        input: {
          subscriptionId,
          scheduleId: s.scheduled?.scheduleId ?? null,
          plan: decision.plan,
          terms: decision.terms,
          step: `terms_at_renewal:${cmd.updateId}`,
          asOf,
        },
      },
      {
        step: 'terms.scheduled',
        plan: decision.plan,
        terms: decision.terms,
        finish: { kind: 'planChange', change: 'downgrade_scheduled' },
      },
    );
  }

  private setupIntent(customerId: string, updateId: string): void {
    this.call(
      {
        name: 'createSetupIntent',
        input: { organizationId: this.s.organizationId, customerId, step: `setup_intent:${updateId}` },
      },
      { step: 'answer', finish: { kind: 'answer' } },
    );
  }

  private billingProfile(customerId: string, profile: BillingProfile, updateId: string): void {
    this.call(
      {
        name: 'updateCustomerProfile',
        input: { organizationId: this.s.organizationId, customerId, profile, step: `profile:${updateId}` },
      },
      { step: 'answer', finish: { kind: 'answer' } },
    );
  }

  /** Resume undoes a scheduled downgrade by scheduling the current plan again for the next period. */
  private restorePlan(subscriptionId: string, updateId: string, asOf: number): void {
    const scheduled = this.s.scheduled;
    // Releasing the schedule leaves the subscription's items as they are: Stripe renews on today's terms.
    if (scheduled) {
      return this.call(
        {
          name: 'releaseSchedule',
          input: { subscriptionId, scheduleId: scheduled.scheduleId, step: `resume_schedule:${updateId}`, asOf },
        },
        { step: 'resume.released', finish: { kind: 'view' } },
      );
    }
    this.call(
      {
        name: 'changePlan',
        input: { subscriptionId, plan: this.s.plan, mode: 'next_period', step: `resume_plan:${updateId}`, asOf },
      },
      { step: 'resume.planRestored', finish: { kind: 'view' } },
    );
  }

  // ---- Webhooks: triggers, not truth. Any number of them costs one re-fetch. ----

  eventsDelivered(events: StripeEventSignal[]): void {
    const s = this.s;
    if (s.status === 'canceled') return;
    if (s.stripeSubscriptionId === null) {
      const created = events.find((e) => e.type === 'customer.subscription.created');
      if (created) this.command({ type: 'adopt', stripeSubscriptionId: created.objectId });
      return;
    }
    // Reconciliation signals because the read model differs from Stripe: publish even if our state did not change.
    if (events.some((e) => e.eventId.startsWith(RECONCILE_EVENT_PREFIX))) s.republish = true;
    // Stripe's own trial_will_end is the reminder's trigger when Stripe's clock runs ahead (test clocks); the
    // deadline stays the backstop and the dedupe key makes it one email either way.
    const trialWillEnd = events.some(
      (e) => e.type === 'customer.subscription.trial_will_end' && e.objectId === s.stripeSubscriptionId,
    );
    // Stripe's invoice.overdue for the invoice awaited: the overdue notice and grace start now (one look at the
    // invoice first, as at the due date on our clock, which stays the trigger when Stripe's event is not sent).
    const due = s.invoiceDue;
    if (
      s.contractMoves &&
      due &&
      !s.dunning &&
      events.some((e) => e.type === 'invoice.overdue' && e.objectId === due.invoiceId)
    )
      return this.deadlineReached('invoiceOverdue');
    const concernsUs = (e: StripeEventSignal) =>
      !e.type.startsWith('customer.subscription.') || e.objectId === s.stripeSubscriptionId;
    if (events.some(concernsUs)) return this.sync({ kind: 'internal', trialWillEnd });
    if (trialWillEnd) this.trialReminder(true);
  }

  // ---- Deadlines: the policy's own clock. ----

  deadlineReached(kind: DeadlineKind): void {
    const s = this.s;
    switch (kind) {
      case 'trialReminder':
        return this.trialReminder(false);
      case 'dunningRetry':
        return this.retryPayment('scheduled', internal);
      case 'finalNotice': {
        const d = s.dunning;
        if (!d || d.finalNoticeSent) return;
        d.finalNoticeSent = true;
        return this.notify('final_notice', d.invoiceId, {
          plan: s.plan,
          amountDue: d.amountDue,
          currency: d.currency,
          graceEndsAt: iso(d.schedule.graceEndsAt),
          ...(d.action && { hostedInvoiceUrl: d.action.hostedInvoiceUrl }),
        });
      }
      case 'graceEnd': {
        // One last look at the invoice first: a lost invoice.paid must not cancel a paying customer.
        const d = s.dunning;
        if (!d || s.stripeSubscriptionId === null) return;
        return this.call(
          { name: 'fetchInvoice', input: { invoiceId: d.invoiceId, asOf: this.now } },
          { step: 'grace.invoice', finish: internal },
        );
      }
      case 'upgradeExpiry': {
        // The customer never authenticated the upgrade's payment: Stripe drops the pending update; the invoice goes too.
        const pending = s.pendingUpgrade;
        if (!pending) return;
        return this.call(
          { name: 'voidInvoice', input: { invoiceId: pending.invoiceId } },
          { step: 'upgrade.voided', finish: internal },
        );
      }
      case 'pauseEnd': {
        // The date the customer chose: collection resumes (Stripe bills again from the next renewal).
        const pause = s.pause;
        const id = s.stripeSubscriptionId;
        if (!pause || pause.resumesAt === null || id === null) return;
        return this.call(
          {
            name: 'resumeCollection',
            input: { subscriptionId: id, step: `pause_end:${pause.resumesAt}`, asOf: this.now },
          },
          { step: 'observe', finish: internal },
        );
      }
      case 'invoiceReminder':
      case 'invoiceOverdue': {
        // Collection by invoice: one look at Stripe first, so a paid invoice is never chased.
        const due = s.invoiceDue;
        if (!due) return;
        return this.call(
          { name: 'fetchInvoice', input: { invoiceId: due.invoiceId, asOf: this.now } },
          { step: kind === 'invoiceReminder' ? 'invoice.reminder' : 'invoice.overdue', finish: internal },
        );
      }
      case 'backstop':
        // No event confirmed the renewal or trial end in time: ask Stripe ourselves, and again later if need be.
        this.log('info', 'no confirming event after the deadline; syncing from Stripe', {});
        s.backstopAt = this.now + this.policy.sync.backstopRepeatMs;
        return this.sync(internal);
    }
  }

  /** The trial ends soon: one reminder per trial end, saying whether a card is on file. */
  private trialReminder(onlyIfDue: boolean): void {
    const s = this.s;
    if (onlyIfDue && (s.status !== 'trialing' || s.trialReminderSentFor === s.trialEnd)) return;
    s.trialReminderSentFor = s.trialEnd;
    this.notify('trial_ending', `${s.stripeSubscriptionId}:${s.trialEnd}`, {
      plan: s.plan,
      trialEndsAt: new Date(s.trialEnd ?? 0).toISOString(),
      hasPaymentMethod: s.defaultPaymentMethodId !== null,
    });
  }

  // ---- Answers from Stripe: each resumes the chain that asked. ----

  resume(of: Continuation, value: unknown): void {
    const s = this.s;
    switch (of.step) {
      case 'subscribe.customer': {
        const { customerId } = value as Result<'ensureCustomer'>;
        s.stripeCustomerId = customerId;
        const { args, updateId, asOf } = of;
        if (!args.paymentMethodId) return this.createSubscription(of, customerId, null);
        return this.call(
          {
            name: 'attachPaymentMethod',
            input: {
              organizationId: s.organizationId,
              customerId,
              paymentMethodId: args.paymentMethodId,
              subscriptionId: null,
            },
          },
          { step: 'subscribe.paymentMethod', args, updateId, asOf, customerId, finish: of.finish },
        );
      }
      case 'subscribe.paymentMethod':
        return this.createSubscription(of, of.customerId, (value as Result<'attachPaymentMethod'>).paymentMethodId);
      case 'subscribe.created': {
        const snapshot = value as Result<'createSubscription'>;
        s.stripeSubscriptionId = snapshot.id;
        return this.observe(snapshot, of.finish);
      }
      case 'adopt.fetched': {
        const snapshot = value as Result<'fetchSubscription'>;
        if (
          (snapshot.organizationId !== null && snapshot.organizationId !== s.organizationId) ||
          snapshot.plan === null
        ) {
          this.log('warn', 'not adopting a subscription of another organization or outside the catalog', {
            stripeSubscriptionId: snapshot.id,
          });
          return this.finish(of.finish);
        }
        // An ended one has nothing left to track (e.g. the incomplete subscription of a declined subscribe).
        if (endedInStripe(s, snapshot.stripeStatus)) {
          this.log('info', 'not adopting an ended subscription', { stripeSubscriptionId: snapshot.id });
          return this.finish(of.finish);
        }
        s.stripeSubscriptionId = snapshot.id;
        s.plan = snapshot.plan;
        return this.observe(snapshot, of.finish);
      }
      case 'planChange.done': {
        const result = value as Result<'changePlan'>;
        // pending_if_incomplete: a declined proration leaves the old plan in force; the activity voided the invoice.
        if (result.outcome === 'declined')
          return this.reject(billingError(BillingErrorType.CardDeclined, result.error.message, result.error));
        if (result.outcome === 'requires_action') {
          s.pendingUpgrade = {
            plan: of.to,
            invoiceId: result.invoice.id,
            expiresAt: result.expiresAt,
            ...(of.terms && { terms: of.terms }),
          };
          s.paymentAction = actionNeeded(result.invoice) ?? actionFor(result.invoice);
          return this.observe(result.subscription, { kind: 'planChange', change: 'upgrade_requires_action' });
        }
        if (of.pending) s.pendingPlan = of.to;
        return this.observe(result.subscription, of.finish);
      }
      case 'terms.scheduled': {
        const { scheduleId, subscription } = value as Result<'scheduleChange'>;
        s.scheduled = { plan: of.plan, terms: of.terms, scheduleId };
        s.pendingPlan = of.plan === s.plan ? null : of.plan;
        return this.observe(subscription, of.finish);
      }
      case 'contract.customer': {
        const { customerId } = value as Result<'ensureCustomer'>;
        s.stripeCustomerId = customerId;
        return this.call(
          {
            name: 'createContractSubscription',
            input: {
              organizationId: s.organizationId,
              customerId,
              contract: of.contract,
              step: `contract:${of.updateId}`,
              asOf: of.asOf,
            },
          },
          { step: 'contract.created', contract: of.contract, finish: of.finish },
        );
      }
      case 'contract.moved':
        // The unused time of the replaced subscription goes back to the card that paid it (credit notes, as the
        // prorated cancel refund does); a trial paid nothing, so nothing is refunded.
        return this.call(
          {
            name: 'cancelSubscription',
            input: {
              subscriptionId: of.from,
              step: `contract_replaced:${of.updateId}`,
              asOf: of.asOf,
              refundUnusedTime: true,
            },
          },
          {
            step: 'contract.replaced',
            contract: of.contract,
            from: of.from,
            created: value as Result<'createContractSubscription'>,
            finish: of.finish,
          },
        );
      case 'contract.replaced': {
        const old = value as Result<'cancelSubscription'>;
        this.publishReplaced(old.endedAt ?? old.canceledAt ?? this.now);
        return this.contractInPlace(of.contract, of.created, of.finish);
      }
      case 'contract.created': {
        const snapshot = value as Result<'createContractSubscription'>;
        s.stripeSubscriptionId = snapshot.id;
        s.plan = 'enterprise';
        s.contract = of.contract;
        return this.observe(snapshot, of.finish);
      }
      case 'invoice.reminder':
      case 'invoice.overdue': {
        const invoice = value as Result<'fetchInvoice'>;
        const due = s.invoiceDue;
        if (invoice.status !== 'open' || invoice.amountRemaining === 0 || !due) {
          // Paid (by transfer, on its page) or voided: nothing to chase; the next invoice, if any, is looked up.
          if (due?.invoiceId === invoice.id) s.invoiceDue = null;
          return this.sync(of.finish);
        }
        if (of.step === 'invoice.reminder') {
          due.remindedBefore = true;
          this.notifyInvoiceDue(due, false);
          return this.finish(of.finish);
        }
        this.invoiceOverdue(invoice);
        // Overdue is past_due like card dunning (access kept through grace).
        return this.settle('past_due', of.finish);
      }
      case 'pause.set':
        s.pause = { behavior: of.behavior, resumesAt: of.resumesAt, source: 'pause_collection' };
        return this.observe(value as Result<'pauseCollection'>, of.finish);
      case 'resume.released':
        s.scheduled = null;
        s.pendingPlan = null;
        return this.observe(value as Result<'releaseSchedule'>, of.finish);
      case 'resume.uncanceled': {
        const snapshot = value as Result<'setCancelAtPeriodEnd'>;
        const id = s.stripeSubscriptionId;
        if (of.undoDowngrade && id !== null) return this.restorePlan(id, of.updateId, of.asOf);
        return this.observe(snapshot, of.finish);
      }
      case 'resume.planRestored': {
        const result = value as Result<'changePlan'>;
        if (result.outcome !== 'applied')
          return this.reject(
            billingError(
              BillingErrorType.CardDeclined,
              'the current plan could not be restored',
              result.outcome === 'declined' ? result.error : undefined,
            ),
          );
        s.pendingPlan = null;
        return this.observe(result.subscription, of.finish);
      }
      case 'paymentMethod.attached': {
        s.defaultPaymentMethodId = (value as Result<'attachPaymentMethod'>).paymentMethodId;
        // A new card during dunning is the customer's answer to our notices: try it now, not on the next slot.
        if (s.dunning) return this.retryPayment('payment_method_updated', of.finish);
        this.commit();
        return this.finish(of.finish);
      }
      case 'pay.done':
        return this.paymentAttempted(value as Result<'payInvoice'>, of.finish);
      case 'grace.invoice': {
        const invoice = value as Result<'fetchInvoice'>;
        const id = s.stripeSubscriptionId;
        if (invoice.status !== 'open' || id === null) {
          this.endDunning(invoice);
          return this.sync(of.finish);
        }
        return this.call(
          {
            name: 'cancelSubscription',
            input: { subscriptionId: id, step: `grace_end:${invoice.id}`, asOf: this.now },
          },
          { step: 'grace.canceled', invoiceId: invoice.id, finish: of.finish },
        );
      }
      case 'grace.canceled':
        return this.call(
          { name: 'markInvoiceUncollectible', input: { invoiceId: of.invoiceId } },
          { step: 'grace.uncollectible', finish: of.finish },
        );
      case 'upgrade.voided':
        s.pendingUpgrade = null;
        s.paymentAction = null;
        return this.sync(of.finish);
      case 'grace.uncollectible':
        this.endSubscription(this.now, 'dunning_exhausted');
        return this.finish(of.finish);
      case 'answer':
        return this.reply(value);
      case 'setupIntent.customer': {
        const { customerId } = value as Result<'ensureCustomer'>;
        s.stripeCustomerId = customerId;
        return this.setupIntent(customerId, of.updateId);
      }
      case 'profile.customer': {
        const { customerId } = value as Result<'ensureCustomer'>;
        s.stripeCustomerId = customerId;
        return this.billingProfile(customerId, of.profile, of.updateId);
      }
      case 'observe':
        return this.observe(value as SubscriptionSnapshot, of.finish);
      case 'observe.invoice': {
        this.invoiceObserved(value as Result<'fetchInvoice'>);
        return this.settle(of.stripeStatus, of.finish);
      }
    }
  }

  /** A Stripe call failed past its retries: an update is refused with the failure; an internal step defers the deadlines. */
  failed(of: Continuation, error: BillingError): void {
    if (of.step === 'contract.replaced') {
      // The contract's subscription exists and is billing: it is the subscription now. The old one could not be
      // canceled past the retries; its row stays as it was and an operator cancels it (the log names it).
      this.log(
        'warn',
        'contract in force, but the subscription it replaces could not be canceled: cancel it in Stripe',
        {
          replaced: of.from,
          error: error.message,
        },
      );
      return this.contractInPlace(of.contract, of.created, of.finish);
    }
    if (of.finish.kind !== 'internal') return this.reject(error);
    this.log('warn', 'step failed; deferring deadlines', { error: error.message });
    const later = this.now + this.policy.sync.backstopRepeatMs;
    this.s.deferDeadlinesUntil = later;
    this.s.backstopAt = Math.min(this.s.backstopAt ?? later, later);
    if (of.finish.trialWillEnd) this.trialReminder(true);
  }

  private createSubscription(
    of: { args: SubscribeArgs; updateId: string; asOf: number; finish: Finish },
    customerId: string,
    paymentMethodId: string | null,
  ): void {
    this.call(
      {
        name: 'createSubscription',
        input: {
          organizationId: this.s.organizationId,
          customerId,
          plan: of.args.plan,
          trialDays: trialDaysFor(of.args),
          paymentMethodId,
          ...(hasTermsArgs(of.args) && { terms: subscribeTerms(of.args) }),
          ...(this.s.discounts && of.args.promotionCode ? { promotionCode: of.args.promotionCode } : {}),
          ...(of.args.currency !== undefined && { currency: of.args.currency }),
          step: `subscribe:${of.updateId}`,
          asOf: of.asOf,
        },
      },
      { step: 'subscribe.created', finish: of.finish },
    );
  }

  // ---- Trial, renewal, cancellation: Stripe's view folded into the state. ----

  private sync(finish: Finish): void {
    const id = this.s.stripeSubscriptionId;
    if (id === null) return this.finish(finish);
    this.call(
      { name: 'fetchSubscription', input: { subscriptionId: id, asOf: this.now } },
      { step: 'observe', finish },
    );
  }

  /**
   * The subscription a contract replaced has ended: its read-model row says so (the row of the contract's
   * subscription follows with the next publish). Search attributes follow the contract's publish.
   */
  private publishReplaced(endedAt: number): void {
    const s = this.s;
    s.stateVersion++;
    const ended: PublishedSubscription = {
      ...toPublished(s),
      status: 'canceled',
      cancelAtPeriodEnd: false,
      pendingPlan: null,
      scheduledChange: null,
      paymentAction: null,
      pendingUpgradePlan: null,
      canceledAt: endedAt,
      endedAt,
    };
    this.effects.push({ kind: 'publish', subscription: ended, stateVersion: s.stateVersion });
  }

  /** The contract's subscription is the organization's subscription from now on; nothing of the old one carries. */
  private contractInPlace(contract: Contract, created: SubscriptionSnapshot, finish: Finish): void {
    const s = this.s;
    s.stripeSubscriptionId = created.id;
    s.plan = 'enterprise';
    s.contract = contract;
    s.pendingPlan = null;
    if (s.scheduled) s.scheduled = null;
    s.cancelAtPeriodEnd = false;
    // A new subscription, not a renewal of the old one: its first period is read as it comes.
    s.currentPeriodStart = null;
    s.currentPeriodEnd = null;
    s.trialEnd = null;
    s.canceledAt = null;
    return this.observe(created, finish);
  }

  /**
   * Folds a subscription snapshot into the state, whatever order events came in. A renewal (the period moved
   * forward) applies a pending downgrade (Stripe already bills the lower price from it) and asks for
   * continue-as-new; a trial ending without a card, a cancel at period end, or any cancel in Stripe ends it.
   */
  private observe(snap: SubscriptionSnapshot, finish: Finish): void {
    const s = this.s;
    if (snap.id !== s.stripeSubscriptionId) return this.finish(finish);
    const renewed = s.currentPeriodEnd !== null && snap.currentPeriodEnd > s.currentPeriodEnd;
    if (renewed) {
      s.plan = snap.plan ?? s.pendingPlan ?? s.plan;
      s.pendingPlan = null;
      if (s.scheduled) s.scheduled = null;
      s.rolloverPending = true;
    } else if (s.scheduled && snap.scheduleId === null) {
      // The schedule was released outside the workflow (Dashboard): nothing is scheduled any more.
      s.scheduled = null;
      s.pendingPlan = null;
    } else if (snap.plan !== null && snap.plan !== s.pendingPlan) {
      // Changed in Stripe directly (Dashboard) or by our own upgrade: Stripe wins.
      s.plan = snap.plan;
    }
    if (snap.plan === s.plan) s.unitAmount = snap.unitAmount;
    if (snap.interval !== undefined) {
      const terms = snapshotTerms(snap);
      if (s.terms !== undefined || JSON.stringify(terms) !== JSON.stringify(DEFAULT_TERMS)) s.terms = terms;
    }
    s.currency = snap.currency;
    s.stripeCustomerId = snap.customerId;
    s.currentPeriodStart = snap.currentPeriodStart;
    s.currentPeriodEnd = snap.currentPeriodEnd;
    s.trialEnd = snap.trialEnd;
    s.cancelAtPeriodEnd = snap.cancelAtPeriodEnd;
    s.defaultPaymentMethodId = snap.defaultPaymentMethodId;
    s.canceledAt = snap.canceledAt;
    if (s.pauses) this.pauseObserved(snap);
    if (s.discounts && snap.discount !== undefined) s.discount = snap.discount;
    if (endedInStripe(s, snap.stripeStatus)) {
      const trialEndedUnpaid =
        snap.trialEnd !== null && snap.defaultPaymentMethodId === null && (snap.endedAt ?? 0) >= snap.trialEnd;
      const reason =
        snap.stripeStatus === 'incomplete_expired'
          ? 'incomplete_expired'
          : trialEndedUnpaid
            ? 'trial_without_payment_method'
            : 'canceled';
      this.endSubscription(snap.endedAt ?? this.now, reason);
      return this.finish(finish);
    }
    const latest = snap.latestInvoice;
    // A first payment that needs the customer keeps the subscription incomplete: it is waited for, never dunned.
    if (fromStripeStatus(snap.stripeStatus) === 'incomplete') {
      s.paymentAction = latest ? actionNeeded(latest) : null;
      return this.settle(snap.stripeStatus, finish);
    }
    const upgrade = s.pendingUpgrade;
    // Applied (paid), or no longer held by Stripe (its 23 hours passed; Stripe voids the invoice too).
    const reached =
      snap.plan === upgrade?.plan && (upgrade.terms === undefined || sameTerms(snapshotTerms(snap), upgrade.terms));
    const applied = reached || (latest?.id === upgrade?.invoiceId && latest?.status !== 'open');
    if (upgrade && applied) s.pendingUpgrade = null;
    if (upgrade && !applied && snap.pendingUpdateExpiresAt === null) {
      return this.call(
        { name: 'voidInvoice', input: { invoiceId: upgrade.invoiceId } },
        { step: 'upgrade.voided', finish },
      );
    }
    if (!s.pendingUpgrade) s.paymentAction = null;
    const d = s.dunning;
    if (d && latest?.id !== d.invoiceId) {
      return this.call(
        { name: 'fetchInvoice', input: { invoiceId: d.invoiceId, asOf: this.now } },
        { step: 'observe.invoice', stripeStatus: snap.stripeStatus, finish },
      );
    }
    if (snap.collectionMethod === 'send_invoice') this.invoiceDueObserved(latest);
    if (d && latest) this.invoiceObserved(latest);
    else if (
      !d &&
      latest &&
      latest.status === 'open' &&
      latest.attemptCount > 0 &&
      latest.amountRemaining > 0 &&
      latest.id !== s.settledInvoiceId &&
      latest.id !== upgrade?.invoiceId
    ) {
      this.startDunning(latest);
    }
    this.settle(snap.stripeStatus, finish);
  }

  /** Collection by invoice: the latest invoice, open with a due date, is what we remind about; paid or void clears it. */
  private invoiceDueObserved(latest: InvoiceSnapshot | null): void {
    const s = this.s;
    const open =
      latest !== null &&
      latest.status === 'open' &&
      latest.amountRemaining > 0 &&
      latest.dueDate != null &&
      latest.id !== s.settledInvoiceId;
    // An older invoice still awaited keeps its place; its own deadlines look it up (and clear it once paid).
    if (s.invoiceDue && latest?.id !== s.invoiceDue.invoiceId) return;
    if (!open) {
      if (s.invoiceDue) s.invoiceDue = null;
      return;
    }
    if (s.invoiceDue) return;
    // The net terms on our clock: Stripe's runs ahead on a test clock, so the due date is counted from the invoice's
    // finalization as we saw it (the same anchor card dunning uses); with one clock this is Stripe's due date.
    const issuedAt = Math.min(latest.finalizedAt, this.now);
    s.invoiceDue = {
      invoiceId: latest.id,
      amountDue: latest.amountRemaining,
      currency: latest.currency,
      hostedInvoiceUrl: latest.hostedInvoiceUrl,
      dueAt: issuedAt + (latest.dueDate! - latest.finalizedAt),
      remindedBefore: false,
    };
  }

  /**
   * Unpaid on its due date: the overdue notice, then the grace and end of card dunning from the due date (never a card
   * retry: the customer pays the invoice, by transfer or on its hosted page).
   */
  private invoiceOverdue(invoice: InvoiceSnapshot): void {
    const s = this.s;
    const due = s.invoiceDue;
    // Grace counts from the due date on our clock, or from now when Stripe's overdue event came first (its clock
    // ran ahead, as on a test clock); on our own due-date timer the two are the same.
    const dueAt = Math.min(due?.dueAt ?? invoice.dueDate ?? this.now, this.now);
    s.dunning = {
      invoiceId: invoice.id,
      amountDue: invoice.amountRemaining,
      currency: invoice.currency,
      hostedInvoiceUrl: invoice.hostedInvoiceUrl,
      firstFailureAt: dueAt,
      schedule: dunningSchedule(dueAt, this.policy.dunning),
      failedAttempts: 1,
      payCalls: 0,
      scheduledRetriesDone: 0,
      severity: 'hard',
      lastDeclineCode: null,
      nextRetryAt: null,
      finalNoticeSent: false,
      action: null,
    };
    this.notifyInvoiceDue(
      due
        ? { ...due, dueAt }
        : {
            invoiceId: invoice.id,
            amountDue: invoice.amountRemaining,
            currency: invoice.currency,
            hostedInvoiceUrl: invoice.hostedInvoiceUrl,
            dueAt,
            remindedBefore: true,
          },
      true,
    );
  }

  private notifyInvoiceDue(due: InvoiceDue, overdue: boolean): void {
    this.notify('invoice_payment_due', `${due.invoiceId}:${overdue ? 'overdue' : 'reminder'}`, {
      invoiceId: due.invoiceId,
      amountDue: due.amountDue,
      currency: due.currency,
      dueAt: new Date(due.dueAt).toISOString(),
      overdue,
      hostedInvoiceUrl: due.hostedInvoiceUrl,
      ...(overdue && { graceEndsAt: iso(this.s.dunning?.schedule.graceEndsAt ?? null) }),
    });
  }

  /**
   * A pause as Stripe shows it: pause_collection (ours, or set in the Dashboard) or Stripe's own `paused` status.
   * Our resume date is kept while Stripe has none (it is the workflow's timer, not sent to Stripe).
   */
  private pauseObserved(snap: SubscriptionSnapshot): void {
    const s = this.s;
    if (snap.stripeStatus === 'paused') {
      s.pause = { behavior: 'no_access', resumesAt: null, source: 'paused_status' };
      return;
    }
    const collection = snap.pauseCollection;
    if (collection === undefined) return;
    if (collection === null) {
      if (s.pause) s.pause = null;
      return;
    }
    const behavior = pauseBehaviorOf(collection.behavior);
    const ours = s.pause?.source === 'pause_collection' && s.pause.behavior === behavior ? s.pause.resumesAt : null;
    s.pause = { behavior, resumesAt: collection.resumesAt ?? ours, source: 'pause_collection' };
  }

  /** The dunning invoice as Stripe shows it now: paid or voided ends dunning; an open one may now wait for the customer. */
  private invoiceObserved(invoice: InvoiceSnapshot): void {
    const d = this.s.dunning;
    if (!d || d.invoiceId !== invoice.id) return;
    if (invoice.status !== 'open') return this.endDunning(invoice);
    d.action = actionNeeded(invoice);
  }

  /** The one place a live status is set: Stripe's, unless our dunning says the customer owes us. */
  private settle(stripeStatus: string, finish: Finish): void {
    const s = this.s;
    s.status = s.dunning ? 'past_due' : s.pause ? 'paused' : fromStripeStatus(stripeStatus);
    s.backstopAt = backstopFor(s, this.now, this.policy);
    this.commit();
    this.finish(finish);
  }

  /** The subscription is over: the organization falls back to free; nothing is deleted. */
  private endSubscription(
    endedAt: number,
    reason: 'trial_without_payment_method' | 'canceled' | 'dunning_exhausted' | 'incomplete_expired',
  ): void {
    const s = this.s;
    const endedPlan = s.plan;
    s.status = 'canceled';
    s.plan = 'free';
    s.pendingPlan = null;
    s.unitAmount = getPlan('free').price.unitAmount ?? 0;
    s.cancelAtPeriodEnd = false;
    s.dunning = null;
    s.paymentAction = null;
    s.pendingUpgrade = null;
    if (s.scheduled) s.scheduled = null;
    if (s.pause) s.pause = null;
    if (s.invoiceDue) s.invoiceDue = null;
    s.backstopAt = null;
    s.endedAt = endedAt;
    s.canceledAt = s.canceledAt ?? endedAt;
    this.log('info', 'subscription ended', { reason, endedPlan });
    this.commit();
    const at = new Date(endedAt).toISOString();
    const key = s.stripeSubscriptionId ?? 'none';
    // A first payment never completed: nothing was charged and nothing was ever active, so no email.
    if (reason === 'incomplete_expired') return;
    if (reason === 'trial_without_payment_method')
      this.notify('trial_ended_without_payment_method', key, { plan: endedPlan, trialEndedAt: at });
    else
      this.notify('subscription_canceled', key, {
        plan: endedPlan,
        canceledAt: at,
        reason: reason === 'dunning_exhausted' ? 'nonpayment' : 'requested',
      });
  }

  // ---- Dunning and grace: our retries on Stripe's failed invoice, then grace, then the end. ----

  /**
   * A payment failed (Stripe's own attempt at renewal or trial end): the first notice, and the retry timetable
   * anchored at the invoice's finalization so it does not depend on when we noticed. A finalization later than
   * the workflow's clock only happens when Stripe runs ahead on a test clock; the timetable then starts now.
   */
  private startDunning(invoice: InvoiceSnapshot): void {
    const error = invoice.lastPaymentError;
    const action = actionNeeded(invoice);
    // Retrying a payment that needs the customer cannot succeed: they get the hosted invoice link instead.
    const severity = action
      ? 'hard'
      : classifyDecline({ declineCode: error?.declineCode ?? null, adviceCode: error?.adviceCode });
    const firstFailureAt = Math.min(invoice.finalizedAt, this.now);
    const schedule = dunningSchedule(firstFailureAt, this.policy.dunning);
    const d: DunningState = {
      invoiceId: invoice.id,
      amountDue: invoice.amountRemaining,
      currency: invoice.currency,
      hostedInvoiceUrl: invoice.hostedInvoiceUrl,
      firstFailureAt,
      schedule,
      failedAttempts: 1,
      payCalls: 0,
      scheduledRetriesDone: 0,
      severity,
      lastDeclineCode: error?.declineCode ?? null,
      nextRetryAt: nextScheduledRetry(schedule, 0, severity),
      finalNoticeSent: false,
      action,
    };
    this.s.dunning = d;
    this.notifyFailure(d, error);
  }

  /** Pays the open invoice now: on schedule, or at once after a new payment method arrived. */
  private retryPayment(trigger: 'scheduled' | 'payment_method_updated', finish: Finish): void {
    const d = this.s.dunning;
    if (!d) return this.finish(finish);
    d.payCalls++;
    if (trigger === 'scheduled') d.scheduledRetriesDone++;
    this.call(
      { name: 'payInvoice', input: { invoiceId: d.invoiceId, attempt: d.payCalls, asOf: this.now } },
      { step: 'pay.done', finish },
    );
  }

  private paymentAttempted(result: Result<'payInvoice'>, finish: Finish): void {
    const d = this.s.dunning;
    if (result.outcome !== 'declined' || !d) {
      this.endDunning(result.invoice);
      const paid = result.outcome === 'paid' || result.invoice.status === 'paid';
      return this.sync(
        finish.kind === 'paymentMethod' ? { kind: 'paymentMethod', retry: paid ? 'paid' : null } : finish,
      );
    }
    d.failedAttempts++;
    d.action = actionNeeded({ ...result.invoice, lastPaymentError: result.error });
    d.severity = d.action
      ? 'hard'
      : classifyDecline({ declineCode: result.error.declineCode, adviceCode: result.error.adviceCode });
    d.lastDeclineCode = result.error.declineCode;
    d.nextRetryAt = nextScheduledRetry(d.schedule, d.scheduledRetriesDone, d.severity);
    this.commit();
    this.notifyFailure(d, result.error);
    this.finish(
      finish.kind === 'paymentMethod'
        ? { kind: 'paymentMethod', retry: d.action ? 'action_required' : 'declined' }
        : finish,
    );
  }

  /** The invoice left `open` by any path (our retry, invoice.paid from outside, voided): dunning is over. */
  private endDunning(invoice: InvoiceSnapshot): void {
    const d = this.s.dunning;
    if (!d || d.invoiceId !== invoice.id) return;
    this.s.dunning = null;
    this.s.settledInvoiceId = invoice.id;
    if (invoice.status === 'paid') {
      this.notify('payment_recovered', invoice.id, {
        invoiceId: invoice.id,
        amountPaid: d.amountDue,
        currency: d.currency,
        plan: this.s.plan,
      });
    }
  }

  private notifyFailure(d: DunningState, error: PaymentError | null): void {
    if (d.action) {
      return this.notify('payment_action_required', `${d.invoiceId}:${d.failedAttempts}`, {
        invoiceId: d.invoiceId,
        amountDue: d.amountDue,
        currency: d.currency,
        hostedInvoiceUrl: d.action.hostedInvoiceUrl,
        graceEndsAt: iso(d.schedule.graceEndsAt),
      });
    }
    this.notify('payment_failed', `${d.invoiceId}:${d.failedAttempts}`, {
      invoiceId: d.invoiceId,
      amountDue: d.amountDue,
      currency: d.currency,
      attempt: d.failedAttempts,
      declineCode: error?.declineCode ?? null,
      // Left out while Stripe sends none, so the emails of recorded histories keep their data.
      ...(error?.adviceCode ? { adviceCode: error.adviceCode } : {}),
      nextRetryAt: iso(d.nextRetryAt),
    });
  }

  // ---- Effects ----

  /**
   * Bumps the version and publishes, unless the published view would not change (a re-fetch after a
   * redundant webhook): the read model's version guard only needs versions to grow.
   */
  private commit(): void {
    const s = this.s;
    s.stateVersion++;
    const subscription = toPublished(s);
    const key = publishedKey(subscription);
    if (key === s.lastPublished && !s.republish) return;
    s.lastPublished = key;
    s.republish = false;
    this.effects.push({ kind: 'publish', subscription, stateVersion: s.stateVersion });
  }

  private finish(finish: Finish): void {
    const view = () => toView(this.s);
    switch (finish.kind) {
      case 'view':
        return this.reply(view());
      case 'planChange':
        return this.reply({ change: finish.change, subscription: view() });
      case 'paymentMethod':
        return this.reply({ retry: finish.retry, subscription: view() });
      case 'answer':
        return;
      case 'internal':
        this.s.deferDeadlinesUntil = null;
        if (finish.trialWillEnd) this.trialReminder(true);
    }
  }

  private subscriptionId(): string | null {
    const id = this.s.stripeSubscriptionId;
    if (id === null) this.reject(billingError(BillingErrorType.NoActiveSubscription, 'there is no subscription yet'));
    return id;
  }

  private call(call: StripeCall, then: Continuation): void {
    this.effects.push({ kind: 'call', call, then });
  }

  private notify(kind: Notification['kind'], key: string, data: Notification['data']): void {
    this.effects.push({ kind: 'notify', notification: { kind, dedupeKey: `${kind}:${key}`, data } });
  }

  private reply(value: unknown): void {
    this.effects.push({ kind: 'reply', value });
  }

  private reject(error: BillingError): void {
    this.effects.push({ kind: 'reject', error });
  }

  private log(level: 'info' | 'warn', message: string, attributes: Record<string, unknown>): void {
    this.effects.push({ kind: 'log', level, message, attributes });
  }
}

/**
 * What a commit compares with the last publish. Fields added after runs began carrying `lastPublished` appear only
 * when set, so an unchanged state of such a run still compares equal; the dunning phase and its next date are left
 * out because they only ever change together with the attempt count, the grace end or the payment action.
 */
function publishedKey(p: PublishedSubscription): string {
  const {
    dunningPhase: _phase,
    dunningNextActionAt: _next,
    paymentAction,
    pendingUpgradePlan,
    interval,
    seats,
    addOns,
    scheduledChange,
    pause,
    discount,
    contract,
    invoiceDue,
    ...base
  } = p;
  const hasAddOns = addOns !== undefined && Object.keys(addOns).length > 0;
  return JSON.stringify({
    ...base,
    ...(paymentAction ? { paymentAction } : {}),
    ...(pendingUpgradePlan ? { pendingUpgradePlan } : {}),
    ...(interval !== undefined && interval !== 'month' ? { interval } : {}),
    ...(seats ? { seats } : {}),
    ...(hasAddOns ? { addOns } : {}),
    ...(scheduledChange ? { scheduledChange } : {}),
    ...(pause ? { pause } : {}),
    ...(discount ? { discount } : {}),
    ...(contract ? { contract } : {}),
    ...(invoiceDue ? { invoiceDue } : {}),
  });
}

/** An open invoice's action as far as it is known (an upgrade's invoice may not carry its PaymentIntent yet). */
function actionFor(invoice: InvoiceSnapshot): PaymentAction {
  return {
    type: 'requires_action',
    invoiceId: invoice.id,
    paymentIntentId: invoice.paymentIntent?.id ?? null,
    clientSecret: invoice.paymentIntent?.clientSecret ?? null,
    hostedInvoiceUrl: invoice.hostedInvoiceUrl,
  };
}

/**
 * Why a command cannot run in this state, or null. The workflow's update validators ask this before anything
 * reaches history (arguments arrive from outside, so their shape is checked too); the transition asks again.
 */
export function refusal(
  s: SubscriptionState,
  cmd: Command,
  opts: { subscribing?: boolean; now?: number } = {},
): BillingError | null {
  const reject = (type: BillingErrorType, message: string) => billingError(type, message);
  const plan: unknown = 'args' in cmd ? (cmd.args as { plan?: unknown } | undefined)?.plan : undefined;
  switch (cmd.type) {
    case 'subscribe': {
      if (typeof plan !== 'string' || !isPlanId(plan))
        return reject(BillingErrorType.InvalidPlan, `unknown plan ${String(plan)}`);
      if (opts.subscribing)
        return reject(BillingErrorType.AlreadySubscribed, 'a subscription is already being created');
      const problem = validateSubscribe(s.status, cmd.args);
      if (problem) return reject(problem.reason, problem.message);
      const currency: unknown = cmd.args?.currency;
      if (currency !== undefined && !isCurrency(currency))
        return reject(BillingErrorType.InvalidRequest, 'currency: usd or eur');
      const code: unknown = cmd.args?.promotionCode;
      if (code !== undefined && !s.discounts)
        return reject(BillingErrorType.InvalidRequest, 'promotion codes are not accepted by this subscription yet');
      if (code !== undefined && !PROMOTION_CODE.test(String(code)))
        return reject(BillingErrorType.InvalidRequest, 'promotionCode: letters and digits (3-40)');
      const terms = hasTermsArgs(cmd.args) ? termsRefusal(plan, subscribeTerms(cmd.args)) : null;
      return terms === null ? null : reject(BillingErrorType.InvalidRequest, terms);
    }
    case 'changePlan':
    case 'previewPlanChange': {
      const actor = cmd.type === 'changePlan' ? cmd.actor : 'customer';
      if (usesTermsPath(s, cmd.args)) {
        const decision = decideTermsChange(termsContext(s), cmd.args, actor);
        if (decision.kind === 'rejected') return reject(decision.reason, decision.message);
      } else {
        if (typeof plan !== 'string' || !isPlanId(plan))
          return reject(BillingErrorType.InvalidPlan, `unknown plan ${String(plan)}`);
        const decision = decidePlanChange(s, plan, actor);
        if (decision.kind === 'rejected') return reject(decision.reason, decision.message);
        if (s.scheduled)
          return reject(BillingErrorType.PendingChangeExists, 'a change is scheduled for the renewal; resume first');
      }
      if (s.pendingUpgrade)
        return reject(
          BillingErrorType.PendingChangeExists,
          `an upgrade to ${s.pendingUpgrade.plan} waits for the customer to authenticate its payment`,
        );
      return null;
    }
    case 'cancel': {
      const refund = cmd.args?.refund;
      if (refund !== undefined && !CANCEL_REFUND_POLICIES.includes(refund))
        return reject(BillingErrorType.InvalidRequest, `refund must be one of ${CANCEL_REFUND_POLICIES.join(', ')}`);
      const decision = decideCancel(s, cmd.args?.atPeriodEnd === true);
      if (decision.kind === 'rejected') return reject(decision.reason, decision.message);
      // Stripe refuses cancel_at_period_end on a subscription a schedule manages.
      if (decision.kind === 'at_period_end' && s.scheduled)
        return reject(BillingErrorType.PendingChangeExists, 'a change is scheduled for the renewal; resume first');
      return null;
    }
    case 'resume': {
      const decision = decideResume(resumeContext(s));
      return decision.kind === 'rejected' ? reject(decision.reason, decision.message) : null;
    }
    case 'updatePaymentMethod':
      if (typeof cmd.args?.paymentMethodId !== 'string' || cmd.args.paymentMethodId.length === 0) {
        return reject(BillingErrorType.InvalidRequest, 'paymentMethodId is required');
      }
      return isOperationAllowed(s.status, 'updatePaymentMethod')
        ? null
        : reject(BillingErrorType.NoActiveSubscription, 'there is no live subscription');
    case 'applyDiscount':
    case 'removeDiscount':
      return discountRefusal(s, cmd);
    case 'extendTrial': {
      const trialEnd = s.trialEnd;
      if (!isOperationAllowed(s.status, 'extendTrial') || trialEnd === null)
        return reject(BillingErrorType.PlanChangeNotAllowed, 'only a trial can be extended');
      if (!Number.isFinite(cmd.args?.trialEnd) || cmd.args.trialEnd <= trialEnd)
        return reject(BillingErrorType.InvalidRequest, 'the new trial end must be later than the current one');
      return null;
    }
    case 'pause':
      return pauseRefusal(s, cmd.args, opts.now);
    case 'assignContract': {
      const problem = contractRefusal(cmd.args?.contract);
      if (problem) return reject(BillingErrorType.InvalidRequest, problem);
      if (opts.subscribing)
        return reject(BillingErrorType.AlreadySubscribed, 'a subscription is already being created');
      if (s.status === 'none') return null;
      if (!s.contractMoves)
        return reject(
          BillingErrorType.PlanChangeNotAllowed,
          'the organization has a live subscription: cancel it before assigning a contract',
        );
      return contractMoveRefusal(s, cmd.args.contract);
    }
    case 'unpause':
      return s.status === 'paused' && s.pause
        ? null
        : reject(BillingErrorType.NotPaused, 'the subscription is not paused');
    case 'createSetupIntent':
      return s.status === 'canceled'
        ? reject(BillingErrorType.NoActiveSubscription, 'the subscription has ended')
        : null;
    case 'updateBillingProfile': {
      const invalid = billingProfileError(cmd.args);
      if (invalid) return reject(BillingErrorType.InvalidRequest, invalid);
      return s.status === 'canceled'
        ? reject(BillingErrorType.NoActiveSubscription, 'the subscription has ended; try again in a moment')
        : null;
    }
    case 'adopt':
      return null;
  }
}

/** Whether Stripe's status means the subscription is over (Stripe's `paused` is a pause in runs that read pauses). */
function endedInStripe(s: SubscriptionState, stripeStatus: string): boolean {
  if (s.pauses && stripeStatus === 'paused') return false;
  return fromStripeStatus(stripeStatus) === 'canceled';
}

/** A pause needs an active subscription with nothing else pending, a known behavior and a sane resume date. */
function pauseRefusal(s: SubscriptionState, args: Partial<PauseArgs> | undefined, now: number | undefined) {
  const reject = (type: BillingErrorType, message: string) => billingError(type, message);
  if (!s.pauses)
    return reject(BillingErrorType.PlanChangeNotAllowed, 'this subscription can be paused from its next renewal');
  if (!PAUSE_BEHAVIORS.includes(args?.behavior as never))
    return reject(BillingErrorType.InvalidRequest, `behavior must be one of ${PAUSE_BEHAVIORS.join(', ')}`);
  const resumesAt = args?.resumesAt;
  if (resumesAt !== undefined && resumesAt !== null && typeof resumesAt !== 'number')
    return reject(BillingErrorType.InvalidRequest, 'resumesAt must be a date');
  const date = resumesAtRefusal(resumesAt, now ?? -Infinity);
  if (date) return reject(BillingErrorType.InvalidRequest, date);
  if (s.status === 'paused') return reject(BillingErrorType.AlreadyPaused, 'the subscription is already paused');
  if (!isOperationAllowed(s.status, 'pause'))
    return reject(BillingErrorType.PlanChangeNotAllowed, `a subscription cannot be paused while it is ${s.status}`);
  if (s.cancelAtPeriodEnd)
    return reject(BillingErrorType.AlreadyCanceling, 'the subscription ends at the period end; resume it first');
  if (s.pendingUpgrade)
    return reject(
      BillingErrorType.PendingChangeExists,
      'an upgrade waits for the customer to authenticate its payment',
    );
  return null;
}

/** A plan-only request keeps the older rules, unless the run schedules changes at the boundary (then all but free and enterprise). */
function usesTermsPath(s: SubscriptionState, args: TermsChangeArgs | undefined): boolean {
  if (hasTermsArgs(args)) return true;
  const plan = args?.plan;
  return s.boundarySchedules === true && plan !== 'free' && plan !== 'enterprise';
}

function termsContext(s: SubscriptionState) {
  return {
    status: s.status,
    plan: s.plan,
    terms: termsOf(s),
    scheduled: s.scheduled ?? null,
    pendingPlan: s.pendingPlan,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
  };
}

/** A scheduled change (any, not only a lower plan) is what resume undoes. */
function resumeContext(s: SubscriptionState) {
  return { ...s, pendingPlan: s.pendingPlan ?? s.scheduled?.plan ?? null };
}

function subscribeTerms(args: SubscribeArgs): Terms {
  return { interval: args.interval ?? 'month', seats: args.seats ?? 0, addOns: args.addOns ?? {} };
}

function previewInput(s: SubscriptionState, args: TermsChangeArgs) {
  const subscriptionId = s.stripeSubscriptionId ?? '';
  if (!usesTermsPath(s, args)) return { subscriptionId, plan: args.plan ?? s.plan, ...(s.terms && { terms: s.terms }) };
  const decision = decideTermsChange(termsContext(s), args);
  const plan: PlanId = decision.kind === 'rejected' ? s.plan : decision.plan;
  const terms = decision.kind === 'rejected' ? termsOf(s) : decision.terms;
  const timing = decision.kind === 'at_renewal' ? 'at_renewal' : 'now';
  return { subscriptionId, plan, terms, timing } as const;
}

/** The terms Stripe bills, as the snapshot reads them from the items (monthly, none for older snapshots). */
function snapshotTerms(snap: SubscriptionSnapshot): Terms {
  return { interval: snap.interval ?? 'month', seats: snap.seats ?? 0, addOns: snap.addOns ?? {} };
}

/** A promotion code needs a live subscription in a run that takes discounts, and a code that looks like one. */
function discountRefusal(s: SubscriptionState, cmd: Extract<Command, { type: 'applyDiscount' | 'removeDiscount' }>) {
  const reject = (type: BillingErrorType, message: string) => billingError(type, message);
  if (!s.discounts)
    return reject(BillingErrorType.PlanChangeNotAllowed, 'a promotion code can be applied from the next renewal');
  if (cmd.type === 'applyDiscount' && !PROMOTION_CODE.test(String(cmd.args?.promotionCode ?? '')))
    return reject(BillingErrorType.InvalidRequest, 'promotionCode: letters and digits (3-40)');
  if (!isOperationAllowed(s.status, 'changePlan'))
    return reject(BillingErrorType.NoActiveSubscription, `there is no live subscription (${s.status})`);
  if (cmd.type === 'removeDiscount' && !s.discount)
    return reject(BillingErrorType.InvalidRequest, 'the subscription has no discount');
  return null;
}

/** Why a live subscription cannot move onto this contract now (runs with contract moves), or null. */
function contractMoveRefusal(s: SubscriptionState, contract: Contract): BillingError | null {
  const refuse = (message: string) => billingError(BillingErrorType.PlanChangeNotAllowed, message);
  if (s.contract) return refuse('the organization is already on a contract');
  if (s.status === 'past_due')
    return refuse('a subscription with an unpaid invoice cannot move onto a contract: settle it first');
  if (s.status === 'paused') return refuse('a paused subscription cannot move onto a contract: resume it first');
  if (s.status !== 'active' && s.status !== 'trialing')
    return refuse(`a ${s.status} subscription cannot move onto a contract`);
  if (s.pendingUpgrade)
    return billingError(
      BillingErrorType.PendingChangeExists,
      'an upgrade is waiting for its payment: try again once it is settled',
    );
  if (contract.currency !== s.currency)
    return refuse(
      `the customer is billed in ${s.currency.toUpperCase()} and Stripe fixes a customer's currency: the contract must be in ${s.currency}`,
    );
  return null;
}
