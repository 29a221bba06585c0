import type { Db } from '../db/database';
import { customersWithoutBillingEmail } from '../db/read-models/customers';
import { billingSuccessMetrics, type MetricsRange, type RevenueRecovery } from './store';
import {
  SUCCESS_FIGURES,
  SUCCESS_TARGETS,
  meetsTarget,
  type SuccessFigure,
  type Target,
} from '../domain/success-targets';

export interface HealthFigure {
  figure: SuccessFigure;
  /** A ratio (0..1); null when the period holds nothing to measure. */
  value: number | null;
  numerator: number;
  denominator: number;
  target: Target;
  met: boolean | null;
}

export interface BillingHealthReport {
  range: { from: string; to: string };
  figures: HealthFigure[];
  /** Dunning outcome per currency: paid after a retry vs left unpaid when dunning gave up. */
  dunningRevenue: (RevenueRecovery & { recoveryRate: number | null })[];
  /** Context behind the figures (counts an operator asks next). */
  details: {
    paymentsAwaitingFirstAttemptExcluded: true;
    webhookEventsStillFailing: number;
    /** Given up by the relay (dead-lettered): an operator runs redrive-events once the cause is fixed. */
    webhookEventsDeadLettered: number;
    invoiceEmailsFailed: number;
    invoiceEmailsPending: number;
    invoiceEmailsNotQueued: number;
    /**
     * Organizations with a Stripe customer but no billing email: their invoice emails cannot be sent (at most
     * 100, oldest first). Fixed by PUT /billing-profile or, where Stripe has an email, by reconciliation.
     */
    organizationsWithoutBillingEmail: { organizationId: string; stripeCustomerId: string }[];
  };
  /** Every figure with data meets its target (null when no figure had data). */
  allTargetsMet: boolean | null;
}

/** The seed's success metrics over [from, to), each beside its target. */
export async function buildBillingHealthReport(db: Db, range: MetricsRange): Promise<BillingHealthReport> {
  const m = await billingSuccessMetrics(db, range);
  const parts: Record<SuccessFigure, { value: number | null; numerator: number; denominator: number }> = {
    payment_success_rate: {
      value: m.payments.paymentSuccessRate,
      numerator: m.payments.paidOnFirstAttempt,
      denominator: m.payments.finalizedInvoices,
    },
    webhook_processing_failure_rate: {
      value: m.webhooks.failureRate,
      numerator: m.webhooks.failed,
      denominator: m.webhooks.received,
    },
    invoice_delivery_rate: {
      value: m.invoiceDelivery.deliveryRate,
      numerator: m.invoiceDelivery.sent,
      denominator: m.invoiceDelivery.required,
    },
    payment_retry_rate: {
      value: m.payments.retryRate,
      numerator: m.payments.retriedInvoices,
      denominator: m.payments.finalizedInvoices,
    },
  };
  const figures = SUCCESS_FIGURES.map((figure) => {
    const target = SUCCESS_TARGETS[figure];
    return { figure, ...parts[figure], target, met: meetsTarget(parts[figure].value, target) };
  });
  const judged = figures.filter((f) => f.met !== null);
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    figures,
    dunningRevenue: m.revenue.map((r) => ({
      ...r,
      recoveryRate: r.recovered + r.lost === 0 ? null : r.recovered / (r.recovered + r.lost),
    })),
    details: {
      paymentsAwaitingFirstAttemptExcluded: true,
      webhookEventsStillFailing: m.webhooks.stillFailing,
      webhookEventsDeadLettered: m.webhooks.deadLettered,
      invoiceEmailsFailed: m.invoiceDelivery.failed,
      invoiceEmailsPending: m.invoiceDelivery.pending,
      invoiceEmailsNotQueued: m.invoiceDelivery.notQueued,
      organizationsWithoutBillingEmail: await customersWithoutBillingEmail(db),
    },
    allTargetsMet: judged.length === 0 ? null : judged.every((f) => f.met === true),
  };
}
