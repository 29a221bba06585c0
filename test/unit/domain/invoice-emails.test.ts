import {
  describeBillingReason,
  invoiceEmailDedupeKey,
  requiredInvoiceEmails,
} from '../../../src/domain/invoice-emails';
import { describeTarget, meetsTarget, SUCCESS_TARGETS } from '../../../src/domain/success-targets';

describe('which emails an invoice owes', () => {
  test.each([
    ['draft', 2900, 0, 0, []],
    ['open', 2900, 0, 1, ['invoice_issued']],
    ['open', 2900, 0, 0, ['invoice_issued']], // sent for payment by transfer (send_invoice): never attempted
    ['paid', 2900, 2900, 1, ['invoice_issued', 'invoice_receipt']],
    ['uncollectible', 2900, 0, 4, ['invoice_issued']], // dunning lost: it was owed while open
    ['uncollectible', 2900, 0, 0, []], // a renewal during a pause with access: nobody is asked to pay
    ['void', 2900, 0, 0, []],
    ['deleted', 2900, 0, 0, []],
    ['paid', 0, 0, 0, []],
  ])('a %s invoice of %i (paid %i, %i attempts) owes %j', (status, amountDue, amountPaid, attemptCount, kinds) => {
    expect(requiredInvoiceEmails({ status, amountDue, amountPaid, attemptCount })).toEqual(kinds);
  });

  test('the dedupe key is one per invoice and kind', () => {
    expect(invoiceEmailDedupeKey('invoice_issued', 'in_1')).toBe('invoice_issued:in_1');
    expect(invoiceEmailDedupeKey('invoice_receipt', 'in_1')).not.toBe(invoiceEmailDedupeKey('invoice_issued', 'in_1'));
  });

  test('billing reasons read as words, unknown ones generically', () => {
    expect(describeBillingReason('subscription_cycle')).toBe('the renewal of your subscription');
    expect(describeBillingReason('subscription_update')).toMatch(/prorated/);
    expect(describeBillingReason(null)).toBe('your subscription');
  });
});

describe("the seed's success targets", () => {
  test('99.9 % meets the payment target and 99.8 % does not; exactly 1 % webhook failures is not below 1 %', () => {
    expect(meetsTarget(999 / 1000, SUCCESS_TARGETS.payment_success_rate)).toBe(true);
    expect(meetsTarget(998 / 1000, SUCCESS_TARGETS.payment_success_rate)).toBe(false);
    expect(meetsTarget(10 / 1000, SUCCESS_TARGETS.webhook_processing_failure_rate)).toBe(false);
    expect(meetsTarget(9 / 1000, SUCCESS_TARGETS.webhook_processing_failure_rate)).toBe(true);
    expect(meetsTarget(1999 / 2000, SUCCESS_TARGETS.invoice_delivery_rate)).toBe(false);
    expect(meetsTarget(null, SUCCESS_TARGETS.payment_retry_rate)).toBeNull();
  });

  test('targets print as the seed states them', () => {
    expect(Object.values(SUCCESS_TARGETS).map(describeTarget)).toEqual(['≥ 99.9 %', '< 1 %', '≥ 100 %', '< 5 %']);
  });
});
