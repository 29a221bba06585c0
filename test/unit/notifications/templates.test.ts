import { InvalidNotificationDataError, renderNotification } from '../../../src/notifications/templates';
import type { NotificationKind, NotificationRequest } from '../../../src/notifications/types';

const ctx = { publicUrl: 'https://app.example.com/' };
const PAYMENT_METHOD_URL = 'https://app.example.com/billing/payment-method';

const valid: Record<NotificationKind, { data: NotificationRequest['data']; mentions: string[] }> = {
  trial_ending: {
    data: { plan: 'professional', trialEndsAt: '2026-12-07T10:00:00.000Z' },
    mentions: ['Professional', 'December 7, 2026', PAYMENT_METHOD_URL],
  },
  trial_ended_without_payment_method: {
    data: { plan: 'starter', trialEndedAt: '2026-12-07T10:00:00Z' },
    mentions: ['Starter', 'December 7, 2026', 'no payment method', PAYMENT_METHOD_URL],
  },
  payment_failed: {
    data: {
      invoiceId: 'in_123',
      amountDue: 2900,
      currency: 'usd',
      attempt: 1,
      declineCode: 'insufficient_funds',
      nextRetryAt: '2026-12-08T00:00:00Z',
    },
    mentions: [
      '$29.00',
      'in_123',
      'Your card has insufficient funds.',
      'first attempt',
      'December 8, 2026',
      PAYMENT_METHOD_URL,
    ],
  },
  payment_action_required: {
    data: {
      invoiceId: 'in_123',
      amountDue: 2900,
      currency: 'usd',
      hostedInvoiceUrl: 'https://invoice.stripe.com/i/in_123',
      graceEndsAt: '2026-12-20T00:00:00Z',
    },
    mentions: ['$29.00', 'in_123', '3-D Secure', 'December 20, 2026', 'https://invoice.stripe.com/i/in_123'],
  },
  invoice_payment_due: {
    data: {
      invoiceId: 'in_456',
      amountDue: 500_000,
      currency: 'usd',
      dueAt: '2026-12-20T00:00:00Z',
      overdue: true,
      hostedInvoiceUrl: 'https://invoice.stripe.com/i/in_456',
      graceEndsAt: '2026-12-30T00:00:00Z',
    },
    mentions: ['$5,000.00', 'in_456', 'still unpaid', 'December 20, 2026', 'December 30, 2026', 'Free plan'],
  },
  final_notice: {
    data: { plan: 'professional', graceEndsAt: '2026-12-20T00:00:00Z', amountDue: 9900, currency: 'usd' },
    mentions: ['$99.00', 'December 20, 2026', 'Free plan', PAYMENT_METHOD_URL],
  },
  subscription_canceled: {
    data: { plan: 'professional', canceledAt: '2026-12-20T00:00:00Z', reason: 'nonpayment' },
    mentions: ['Professional', 'December 20, 2026', 'payment could not be collected', 'Free plan'],
  },
  payment_recovered: {
    data: { invoiceId: 'in_123', invoiceNumber: 'INV-0042', amountPaid: 2900, currency: 'usd', plan: 'starter' },
    mentions: ['$29.00', 'INV-0042', 'good standing'],
  },
  usage_threshold: {
    data: { metric: 'api_calls', thresholdPercent: 80, limit: 100000, used: 80500 },
    mentions: ['80%', '100,000 API calls', '80,500'],
  },
  invoice_issued: {
    data: {
      invoiceId: 'in_123',
      invoiceNumber: 'INV-0042',
      amountDue: 2900,
      currency: 'usd',
      periodStart: '2026-12-01T00:00:00Z',
      periodEnd: '2027-01-01T00:00:00Z',
      billingReason: 'subscription_cycle',
      lineSummary: 'Starter (monthly): $29.00',
      hostedInvoiceUrl: 'https://invoice.stripe.test/i/in_123',
      invoicePdf: 'https://invoice.stripe.test/i/in_123/pdf',
      paid: false,
    },
    mentions: [
      'INV-0042',
      '$29.00',
      'December 1, 2026 to January 1, 2027',
      'renewal',
      'Starter (monthly): $29.00',
      'https://invoice.stripe.test/i/in_123',
      'https://invoice.stripe.test/i/in_123/pdf',
    ],
  },
  invoice_receipt: {
    data: {
      invoiceId: 'in_123',
      invoiceNumber: 'INV-0042',
      amountPaid: 2900,
      currency: 'usd',
      paidAt: '2026-12-01T00:05:00Z',
      hostedInvoiceUrl: 'https://invoice.stripe.test/i/in_123',
    },
    mentions: ['Receipt', 'INV-0042', '$29.00', 'December 1, 2026', 'https://invoice.stripe.test/i/in_123'],
  },
  credit_note_issued: {
    data: {
      creditNoteNumber: 'INV-0042-CN-01',
      invoiceId: 'in_123',
      invoiceNumber: 'INV-0042',
      currency: 'usd',
      amount: 1000,
      refundedAmount: 1000,
      reason: 'product_unsatisfactory',
      memo: 'Outage on 3 March',
      creditNotePdf: 'https://files.stripe.test/cn_1/pdf',
    },
    mentions: [
      'INV-0042-CN-01',
      'INV-0042',
      '$10.00',
      'refunded to the card',
      'Outage on 3 March',
      'the service not meeting expectations',
      'https://files.stripe.test/cn_1/pdf',
    ],
  },
};

describe('notification templates', () => {
  test.each(Object.entries(valid))(
    '%s renders a subject, a plain-text body and an HTML alternative with its facts',
    (kind, { data, mentions }) => {
      const email = renderNotification({ kind: kind as NotificationKind, data }, ctx);
      expect(email.subject.length).toBeGreaterThan(5);
      for (const fact of mentions) expect(email.text).toContain(fact);
      expect(email.html).toContain('<html>');
      expect(email.html).not.toContain('undefined');
      expect(email.text).not.toMatch(/undefined|null|NaN/);
    },
  );

  test('a payment failure on a retry names the attempt, and without a next retry says no automatic retry will happen', () => {
    const base = valid.payment_failed.data;
    const retry = renderNotification({ kind: 'payment_failed', data: { ...base, attempt: 3 } }, ctx);
    expect(retry.text).toContain('This was attempt 3.');
    const last = renderNotification({ kind: 'payment_failed', data: { ...base, attempt: 4, nextRetryAt: null } }, ctx);
    expect(last.text).toContain('will not retry');
    expect(last.text).not.toContain('We will try again');
  });

  test.each([
    ['expired_card', 'Your card has expired.'],
    ['stolen_card', 'Your card was declined.'],
    ['lost_card', 'Your card was declined.'],
    ['something_new', 'Your card was declined.'],
  ])('decline code %s is told to the customer as "%s"', (declineCode, words) => {
    const email = renderNotification(
      { kind: 'payment_failed', data: { ...valid.payment_failed.data, declineCode } },
      ctx,
    );
    expect(email.text).toContain(words);
    expect(email.text).not.toMatch(/stolen|lost/);
  });

  test("a decline with Stripe's confirm_card_data advice asks for the card details again, and says no retry is scheduled", () => {
    const email = renderNotification(
      {
        kind: 'payment_failed',
        data: {
          ...valid.payment_failed.data,
          declineCode: 'incorrect_cvc',
          adviceCode: 'confirm_card_data',
          nextRetryAt: null,
        },
      },
      ctx,
    );
    expect(email.text).toContain(
      "Your card's security code is incorrect. Your bank asks you to confirm your card details",
    );
    expect(email.text).toContain('will not retry');
  });

  test('amounts follow the currency: zero-decimal yen are not divided by 100', () => {
    const email = renderNotification(
      { kind: 'payment_failed', data: { ...valid.payment_failed.data, amountDue: 2900, currency: 'jpy' } },
      ctx,
    );
    expect(email.text).toContain('¥2,900');
  });

  test('the 100% usage email says the limit is reached', () => {
    const email = renderNotification(
      { kind: 'usage_threshold', data: { metric: 'messages', thresholdPercent: 100, limit: 5000 } },
      ctx,
    );
    expect(email.subject).toBe('You have reached your messages limit');
  });

  test('values are escaped in the HTML alternative', () => {
    const email = renderNotification(
      { kind: 'trial_ending', data: { plan: '<script>x</script>', trialEndsAt: '2026-12-07T10:00:00Z' } },
      ctx,
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&#60;script&#62;');
  });

  test.each<[string, Pick<NotificationRequest, 'kind' | 'data'>, RegExp]>([
    [
      'a missing field',
      { kind: 'payment_failed', data: { invoiceId: 'in_1', amountDue: 100, currency: 'usd', attempt: 1 } },
      /nextRetryAt/,
    ],
    [
      'an amount in major units',
      { kind: 'payment_recovered', data: { ...valid.payment_recovered.data, amountPaid: 29.5 } },
      /amountPaid/,
    ],
    [
      'a date that is not ISO-8601',
      { kind: 'final_notice', data: { ...valid.final_notice.data, graceEndsAt: 'next Tuesday' } },
      /graceEndsAt/,
    ],
    [
      'a threshold other than 80 or 100',
      { kind: 'usage_threshold', data: { ...valid.usage_threshold.data, thresholdPercent: 90 } },
      /thresholdPercent/,
    ],
    ['an unexpected field', { kind: 'trial_ending', data: { ...valid.trial_ending.data, trialEnd: 'x' } }, /trialEnd/],
    ['an unknown kind', { kind: 'welcome' as NotificationKind, data: {} }, /unknown notification kind/],
  ])('rejects %s loudly', (_case, request, message) => {
    expect(() => renderNotification(request, ctx)).toThrow(InvalidNotificationDataError);
    expect(() => renderNotification(request, ctx)).toThrow(message);
  });

  test('an invoice already paid at finalization says a receipt follows; one still to be charged says the card will be charged', () => {
    const paid = renderNotification(
      { kind: 'invoice_issued', data: { ...valid.invoice_issued.data, paid: true } },
      ctx,
    );
    expect(paid.text).toContain('already been paid');
    const open = renderNotification({ kind: 'invoice_issued', data: valid.invoice_issued.data }, ctx);
    expect(open.text).toContain('charged automatically');
  });

  test('invoice links must be http(s) URLs, and without any the email links to the billing page', () => {
    expect(() =>
      renderNotification(
        { kind: 'invoice_issued', data: { ...valid.invoice_issued.data, invoicePdf: 'javascript:alert(1)' } },
        ctx,
      ),
    ).toThrow(InvalidNotificationDataError);
    const bare = renderNotification(
      { kind: 'invoice_receipt', data: { invoiceId: 'in_9', amountPaid: 100, currency: 'usd' } },
      ctx,
    );
    expect(bare.text).toContain('https://app.example.com/billing');
    expect(bare.subject).toBe('Receipt for invoice in_9: $1.00 paid');
  });
});
