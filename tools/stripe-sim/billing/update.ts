import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import { previousAttributes, type Sim } from '../sim';
import { declineError } from './card-outcomes';
import { collectInvoice, voidInvoice } from './invoicing';
import { AUTHENTICATION_REQUIRED } from './test-cards';
import { applyCycleReset, cycleReset, resetsBillingCycle } from './interval-change';
import { applyPlannedItems, planItems, type ItemChange } from './items';
import { INCOMPLETE_WINDOW_SECONDS, endTrial, invoiceSubscription } from './lifecycle';
import { pendingItemLines, prorationItems, takePendingItems } from './lines';
import { buildItem, currentPeriod, internalsOf } from './subscription-object';
import { commitDiscounts, planDiscounts, removeDiscounts, type DiscountSpec } from './discounts';
import { automaticTaxOf, requireTaxLocation } from './tax';

export interface UpdateParams {
  items?: ItemChange[] | undefined;
  prorationBehavior: 'always_invoice' | 'create_prorations' | 'none';
  prorationDate?: number | undefined;
  paymentBehavior: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  cancelAtPeriodEnd?: boolean | undefined;
  cancelAt?: number | null | undefined;
  trialEnd?: number | 'now' | undefined;
  defaultPaymentMethod?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
  missingPaymentMethod?: 'cancel' | 'create_invoice' | 'pause' | undefined;
  cancellationDetails?:
    | { comment?: string | undefined; feedback?: Stripe.Subscription.CancellationDetails.Feedback | undefined }
    | undefined;
  description?: string | undefined;
  /** Stripe's `off_session` for the payment an update triggers (default: on session). */
  offSession: boolean;
  /** `pause_collection`: set (behavior, optional resumes_at) or cleared (null, sent as ''). */
  pauseCollection?: { behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void'; resumesAt?: number } | null;
  /** Replace the subscription's discounts (an empty list removes them all; undefined leaves them). */
  discounts?: DiscountSpec[] | undefined;
  /** `automatic_tax[enabled]`; undefined leaves it. */
  automaticTax?: boolean | undefined;
}

/**
 * An item change prorates (unless `none`): `create_prorations` leaves the prorations for the next
 * invoice, `always_invoice` bills them now. If that payment fails, `pending_if_incomplete` keeps the
 * old items and records a `pending_update`; `error_if_incomplete` rolls back and returns the card
 * error; otherwise the change stands and the subscription becomes past_due.
 */
function changeItems(sim: Sim, sub: Stripe.Subscription, p: UpdateParams, changes: ItemChange[], at: number): void {
  const planned = planItems(sim, sub, changes);
  const prorationAt = p.prorationDate ?? at;
  // Another interval resets the billing cycle: invoiced now whatever the proration behavior (interval-change.ts).
  const reset = resetsBillingCycle(sub, planned)
    ? cycleReset(sim, sub, planned, prorationAt, p.prorationBehavior !== 'none')
    : null;
  const apply = () =>
    reset ? applyCycleReset(sim, sub, planned, reset.period) : applyPlannedItems(sim, sub, planned, at);
  const prorations =
    reset || p.prorationBehavior === 'none' || sub.status === 'trialing'
      ? []
      : prorationItems(sim, sub, planned, prorationAt);
  if (!reset && (p.prorationBehavior !== 'always_invoice' || prorations.length === 0)) {
    for (const item of prorations) sim.state.pendingItems[item.id] = item;
    applyPlannedItems(sim, sub, planned, at);
    return;
  }
  const period = currentPeriod(sub);
  const lines = [...pendingItemLines([...takePendingItems(sim, sub.id), ...prorations]), ...(reset?.lines ?? [])];
  const invoice = invoiceSubscription(sim, sub, at, 'subscription_update', lines, {
    attempt: false,
    offSession: p.offSession,
    period: reset ? reset.period : { start: prorationAt, end: period.end },
    prorationDate: prorationAt,
  });
  const internals = internalsOf(sim, sub.id);
  // Marks the invoice so a failed payment does not turn the subscription past_due (the change is held or rolled back).
  const holdsChange = p.paymentBehavior === 'pending_if_incomplete' || p.paymentBehavior === 'error_if_incomplete';
  if (holdsChange) internals.pendingInvoice = invoice.id;
  const result =
    invoice.status === 'open' && p.paymentBehavior !== 'default_incomplete'
      ? collectInvoice(sim, invoice, at, { manual: false, offSession: p.offSession })
      : ({ paid: invoice.status === 'paid' } as const);
  if (result.paid || p.paymentBehavior === 'allow_incomplete' || p.paymentBehavior === 'default_incomplete') {
    internals.pendingInvoice = null;
    apply();
    if (!result.paid && sub.status === 'active') sub.status = 'past_due';
    return;
  }
  if (p.paymentBehavior === 'error_if_incomplete') {
    internals.pendingInvoice = null;
    voidInvoice(sim, invoice, at);
    // As on create, a payment that needs authentication is refused with the authentication_required card error.
    if ('error' in result) throw result.requiresAction ? declineError(AUTHENTICATION_REQUIRED) : result.error;
    throw invalidRequest('Payment failed.');
  }
  internals.pendingItems = planned.map((item) => ({ id: item.id, price: item.price.id, quantity: item.quantity }));
  internals.pendingCycleReset = reset?.period ?? null;
  sub.pending_update = {
    billing_cycle_anchor: null,
    cancel_at_period_end: null,
    discount: null,
    discounts: null,
    expires_at: at + INCOMPLETE_WINDOW_SECONDS,
    metadata: null,
    subscription_items: planned.map((item) =>
      buildItem(sim, {
        id: item.id,
        subscription: sub.id,
        price: item.price,
        quantity: item.quantity,
        period,
        created: at,
        metadata: item.metadata,
      }),
    ),
    trial_end: null,
    trial_from_plan: null,
  };
}

export function updateSubscription(sim: Sim, sub: Stripe.Subscription, p: UpdateParams, at: number): void {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidRequest(
      'A canceled subscription can only update its cancellation_details and metadata.',
      undefined,
      'invalid_canceled_subscription_fields',
    );
  }
  if (p.defaultPaymentMethod && sim.state.paymentMethods[p.defaultPaymentMethod]?.customer !== sub.customer) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${p.defaultPaymentMethod}.`,
      'default_payment_method',
      'resource_missing',
    );
  }
  if (sub.schedule && (p.cancelAtPeriodEnd !== undefined || p.cancelAt !== undefined))
    throw invalidRequest(
      `The subscription is managed by the subscription schedule \`${typeof sub.schedule === 'string' ? sub.schedule : sub.schedule.id}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
    );
  const target = {
    customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
    subscription: sub.id,
    products: sub.items.data.map((i) => (typeof i.price.product === 'string' ? i.price.product : i.price.product.id)),
  };
  // Validated before anything changes, so a refused code leaves the subscription as it was.
  const plannedDiscounts = p.discounts ? planDiscounts(sim, p.discounts, target, at) : null;
  const customer = sim.state.customers[target.customer];
  if (p.automaticTax && customer) requireTaxLocation(customer, 'automatic_tax[enabled]');
  const before = structuredClone(sub);
  if (p.automaticTax !== undefined) sub.automatic_tax = automaticTaxOf(p.automaticTax);
  if (plannedDiscounts) {
    const kept = new Set(plannedDiscounts.flatMap((d) => (d.existing ? [d.existing.id] : [])));
    const current = sub.discounts.map((d) => (typeof d === 'string' ? d : d.id));
    removeDiscounts(
      sim,
      sub,
      current.filter((id) => !kept.has(id)),
      at,
    );
    sub.discounts = commitDiscounts(sim, plannedDiscounts, target, at);
  }
  if (p.defaultPaymentMethod !== undefined) sub.default_payment_method = p.defaultPaymentMethod;
  if (p.metadata) sub.metadata = p.metadata;
  if (p.description !== undefined) sub.description = p.description || null;
  if (p.pauseCollection !== undefined)
    sub.pause_collection = p.pauseCollection && {
      behavior: p.pauseCollection.behavior,
      resumes_at: p.pauseCollection.resumesAt ?? null,
    };
  if (p.missingPaymentMethod && sub.trial_settings)
    sub.trial_settings.end_behavior.missing_payment_method = p.missingPaymentMethod;
  if (p.cancellationDetails)
    sub.cancellation_details = {
      ...(sub.cancellation_details ?? { reason: null, feedback_option: null, comment: null, feedback: null }),
      comment: p.cancellationDetails.comment ?? null,
      feedback: p.cancellationDetails.feedback ?? null,
    };
  const period = currentPeriod(sub);
  if (p.cancelAtPeriodEnd !== undefined) {
    sub.cancel_at_period_end = p.cancelAtPeriodEnd;
    sub.cancel_at = p.cancelAtPeriodEnd
      ? sub.status === 'trialing' && sub.trial_end
        ? sub.trial_end
        : period.end
      : null;
    sub.canceled_at = p.cancelAtPeriodEnd ? at : null;
    sub.cancellation_details = {
      ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }),
      reason: p.cancelAtPeriodEnd ? 'cancellation_requested' : null,
    };
  }
  if (p.cancelAt !== undefined) {
    sub.cancel_at = p.cancelAt;
    sub.cancel_at_period_end = p.cancelAt !== null && p.cancelAt === period.end;
    sub.canceled_at = p.cancelAt === null ? null : at;
  }
  if (p.items && p.items.length > 0) changeItems(sim, sub, p, p.items, at);
  if (p.trialEnd !== undefined && sub.status === 'trialing') {
    if (p.trialEnd === 'now') {
      sub.trial_end = at;
      endTrial(sim, sub, at);
    } else {
      sub.trial_end = p.trialEnd;
      sub.billing_cycle_anchor = p.trialEnd;
      for (const item of sub.items.data) item.current_period_end = p.trialEnd;
    }
  }
  const prev = previousAttributes(before, sub);
  if (Object.keys(prev).length > 0) sim.emit('customer.subscription.updated', sub, at, prev);
  sim.store.changed();
}
