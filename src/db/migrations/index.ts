import type { Migration } from 'kysely';
import * as billingCore from './2026-11-23T0001-billing-core';
import * as apiIdempotency from './2026-11-23T0002-api-idempotency';
import * as emailOutbox from './2026-11-23T0004-email-outbox';
import * as stripeEventsRelayOrder from './2026-11-23T0006-stripe-events-relay-order';
import * as usageMetering from './2026-11-23T0008-usage-metering';
import * as customerDefaultPaymentMethod from './2026-11-23T0010-customer-default-payment-method';
import * as invoiceDelivery from './2026-11-23T0016-invoice-delivery';
import * as overageReportedBlocks from './2026-11-23T0018-overage-reported-blocks';
import * as stripeEventsPendingInOrder from './2026-12-01T0001-stripe-events-pending-in-order';
import * as subscriptionsHistoryLength from './2026-12-04T0001-subscriptions-history-length';
import * as subscriptionsPaymentAction from './2026-12-04T0002-subscriptions-payment-action';
import * as subscriptionsTerms from './2026-12-05T0001-subscriptions-terms';
import * as stripeEventsDeadLetter from './2026-12-05T1101-stripe-events-dead-letter';
import * as usageDedupePerOrganization from './2026-12-05T1102-usage-dedupe-per-organization';
import * as subscriptionsPause from './2026-12-05T1201-subscriptions-pause';
import * as subscriptionsContract from './2026-12-05T1202-subscriptions-contract';
import * as apiRateLimits from './2026-12-05T1300-api-rate-limits';
import * as billingCustomersProfile from './2026-12-05T1400-billing-customers-profile';
import * as creditNotes from './2026-12-05T1401-credit-notes';
import * as subscriptionsDiscount from './2026-12-05T1500-subscriptions-discount';
import * as invoicesDiscount from './2026-12-05T1501-invoices-discount';
import * as invoicesTax from './2026-12-05T1600-invoices-tax';
import * as invoicesAwaitingEmailPauses from './2026-12-05T1801-invoices-awaiting-email-pauses';
import * as creditNotesIdempotencyKey from './2026-12-05T1802-credit-notes-idempotency-key';
import * as invoiceLineSummary from './2026-12-06T0600-invoice-line-summary';
import * as stripeEventsCreatedBrin from './2026-12-06T2200-stripe-events-created-brin';

/**
 * The explicit, ordered list of migrations. Kysely runs them in key order, so keys start with
 * the timestamp of the file. Add new migrations at the end; never reorder or edit shipped ones.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23T0001-billing-core': billingCore,
  '2026-11-23T0002-api-idempotency': apiIdempotency,
  '2026-11-23T0004-email-outbox': emailOutbox,
  '2026-11-23T0006-stripe-events-relay-order': stripeEventsRelayOrder,
  '2026-11-23T0008-usage-metering': usageMetering,
  '2026-11-23T0010-customer-default-payment-method': customerDefaultPaymentMethod,
  '2026-11-23T0016-invoice-delivery': invoiceDelivery,
  '2026-11-23T0018-overage-reported-blocks': overageReportedBlocks,
  '2026-12-01T0001-stripe-events-pending-in-order': stripeEventsPendingInOrder,
  '2026-12-04T0001-subscriptions-history-length': subscriptionsHistoryLength,
  '2026-12-04T0002-subscriptions-payment-action': subscriptionsPaymentAction,
  '2026-12-05T0001-subscriptions-terms': subscriptionsTerms,
  '2026-12-05T1101-stripe-events-dead-letter': stripeEventsDeadLetter,
  '2026-12-05T1102-usage-dedupe-per-organization': usageDedupePerOrganization,
  '2026-12-05T1201-subscriptions-pause': subscriptionsPause,
  '2026-12-05T1202-subscriptions-contract': subscriptionsContract,
  '2026-12-05T1300-api-rate-limits': apiRateLimits,
  '2026-12-05T1400-billing-customers-profile': billingCustomersProfile,
  '2026-12-05T1401-credit-notes': creditNotes,
  '2026-12-05T1500-subscriptions-discount': subscriptionsDiscount,
  '2026-12-05T1501-invoices-discount': invoicesDiscount,
  '2026-12-05T1600-invoices-tax': invoicesTax,
  '2026-12-05T1801-invoices-awaiting-email-pauses': invoicesAwaitingEmailPauses,
  '2026-12-05T1802-credit-notes-idempotency-key': creditNotesIdempotencyKey,
  '2026-12-06T0600-invoice-line-summary': invoiceLineSummary,
  '2026-12-06T2200-stripe-events-created-brin': stripeEventsCreatedBrin,
};
