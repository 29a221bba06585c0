/**
 * Example answers shown in the OpenAPI document (and so at /docs and in docs/openapi.json): one per operation's
 * success response. Values are what the API answers for a professional subscription on the simulator.
 */
const subscription = {
  id: 'sub_1QkY7cLkdIwHu7ix',
  organizationId: 'org_acme',
  plan: 'professional',
  status: 'active',
  currency: 'usd',
  unitAmount: 9900,
  currentPeriodStart: '2026-12-01T00:00:00.000Z',
  currentPeriodEnd: '2027-01-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  pendingPlan: null,
  trialEnd: null,
  defaultPaymentMethodId: 'pm_1QkY7bLkdIwHu7ixVisa',
  dunningAttempt: 0,
  graceEndsAt: null,
  dunningPhase: null,
  dunningNextActionAt: null,
  paymentAction: null,
  pendingUpgradePlan: null,
  interval: 'month',
  seats: 2,
  addOns: { agents_5: 1 },
  scheduledChange: null,
  pause: null,
  discount: null,
  contract: null,
  invoiceDue: null,
  canceledAt: null,
  endedAt: null,
  updatedAt: '2026-12-01T00:00:04.120Z',
};

export const subscriptionStateExample = { subscription, effectivePlan: 'professional' };
export const subscriptionChangeExample = { change: 'upgraded', ...subscriptionStateExample };
export const paymentMethodUpdateExample = { retry: null, ...subscriptionStateExample };
export const pausedExample = {
  subscription: {
    ...subscription,
    status: 'paused',
    pause: { behavior: 'keep_access', resumesAt: '2027-02-01T00:00:00.000Z' },
  },
  effectivePlan: 'professional',
};
export const contractExample = {
  subscription: {
    ...subscription,
    id: 'sub_1QkZ2dLkdIwHu7ix',
    organizationId: 'org_bigcorp',
    plan: 'enterprise',
    unitAmount: 500000,
    defaultPaymentMethodId: null,
    seats: 0,
    addOns: {},
    contract: {
      amount: 500000,
      currency: 'usd',
      interval: 'month',
      limits: { users: 50, messages: -1 },
      collection: { method: 'send_invoice', daysUntilDue: 30 },
    },
    invoiceDue: {
      invoiceId: 'in_1QkZ2eLkdIwHu7ix',
      amountDue: 500000,
      currency: 'usd',
      dueAt: '2026-12-31T00:00:00.000Z',
    },
  },
};
export const billingProfileExample = {
  billingProfile: {
    email: 'accounts@acme.example',
    legalName: 'Acme GmbH',
    address: {
      line1: 'Friedrichstraße 68',
      line2: null,
      city: 'Berlin',
      postalCode: '10117',
      state: null,
      country: 'DE',
    },
    taxIds: [
      { id: 'txi_1QkY7dLkdIwHu7ix', type: 'eu_vat', value: 'DE123456789', country: 'DE', verification: 'pending' },
    ],
    updatedAt: '2026-12-01T00:00:05.000Z',
  },
};
export const upcomingInvoiceExample = {
  upcoming: {
    currency: 'usd',
    subtotal: 14650,
    discount: 0,
    discounts: [],
    tax: 0,
    reverseCharge: false,
    total: 14650,
    amountDue: 14650,
    periodStart: '2026-12-01T00:00:00.000Z',
    periodEnd: '2027-01-01T00:00:00.000Z',
    nextPaymentAttempt: '2027-01-01T01:00:00.000Z',
    lines: [
      {
        description: '1 × Professional (at $99.00 / month)',
        kind: 'plan',
        amount: 9900,
        quantity: 1,
        periodStart: '2027-01-01T00:00:00.000Z',
        periodEnd: '2027-02-01T00:00:00.000Z',
      },
      {
        description: '2 × Professional extra seat (at $12.00 / month)',
        kind: 'seats',
        amount: 2400,
        quantity: 2,
        periodStart: '2027-01-01T00:00:00.000Z',
        periodEnd: '2027-02-01T00:00:00.000Z',
      },
      {
        description: '1 × +5 agents (at $19.00 / month)',
        kind: 'add_on',
        amount: 1900,
        quantity: 1,
        periodStart: '2027-01-01T00:00:00.000Z',
        periodEnd: '2027-02-01T00:00:00.000Z',
      },
      {
        description: 'Messages overage',
        kind: 'overage',
        amount: 450,
        quantity: 3,
        periodStart: '2026-12-01T00:00:00.000Z',
        periodEnd: '2027-01-01T00:00:00.000Z',
      },
    ],
  },
};
export const refundExample = {
  creditNote: {
    stripeCreditNoteId: 'cn_1QkY7eLkdIwHu7ix',
    number: 'INV-0042-CN-01',
    stripeInvoiceId: 'in_1QkY7cLkdIwHu7ix',
    organizationId: 'org_acme',
    currency: 'usd',
    amount: 1000,
    refundedAmount: 1000,
    reason: 'product_unsatisfactory',
    memo: 'Outage on 3 March',
    pdfUrl: 'https://pay.stripe.com/credit_notes/cn_1QkY7eLkdIwHu7ix/pdf',
    actor: 'admin:3f9a1c0b7d2e',
    createdAt: '2026-12-03T10:00:00.000Z',
  },
};
export const canceledAtPeriodEndExample = {
  subscription: { ...subscription, cancelAtPeriodEnd: true },
  effectivePlan: 'professional',
};

export const plansExample = {
  data: [
    {
      id: 'starter',
      name: 'Starter',
      price: { unitAmount: 2900, currency: 'usd', interval: 'month' },
      trialDays: 14,
      selfServe: true,
      limits: { agents: 5, messages: 10000, api_calls: 50000, users: 5, storage: 10240 },
      features: { sso: false, support: 'email' },
      prices: { month: 2900, year: 29000 },
      pricesByCurrency: { usd: { month: 2900, year: 29000 }, eur: { month: 2900, year: 29000 } },
      seats: { included: 5, perSeat: { month: 800, year: 8000 } },
      addOns: [
        { id: 'agents_5', name: '5 more agents', metric: 'agents', units: 5, prices: { month: 1500, year: 15000 } },
      ],
      overage: { messages: { unitAmount: 100, blockSize: 1000 } },
    },
  ],
};

export const previewExample = {
  plan: 'professional',
  currency: 'usd',
  amountDueNow: 3513,
  prorationAmount: 3513,
  nextRenewalAmount: 9900,
  prorationDate: 1796462400000,
  effective: 'now',
  terms: { interval: 'month', seats: 0, addOns: { agents_5: 0, storage_10gb: 0 } },
  renewalAmounts: { month: 9900, year: 99000 },
};

export const invoicesExample = {
  data: [
    {
      id: '7d0c0a52-6f0e-4b7e-9d55-2f7c5b0f1e11',
      stripeInvoiceId: 'in_1QkY7dLkdIwHu7ix',
      number: 'ACME-0003',
      status: 'paid',
      currency: 'usd',
      amountDue: 11781,
      amountPaid: 11781,
      amountRemaining: 0,
      subtotal: 9900,
      discount: 0,
      billingReason: 'subscription_cycle',
      attemptCount: 1,
      hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_YWNjdF8x',
      invoicePdf: 'https://pay.stripe.com/invoice/acct_1/test_YWNjdF8x/pdf',
      periodStart: '2026-12-01T00:00:00.000Z',
      periodEnd: '2027-01-01T00:00:00.000Z',
      dueDate: null,
      paidAt: '2026-12-01T00:00:03.000Z',
      createdAt: '2026-12-01T00:00:01.000Z',
      tax: 1881,
      totalExcludingTax: 9900,
      reverseCharge: false,
      refundedAmount: 0,
      creditNotes: [],
      delivery: {
        invoice: { status: 'sent', attempts: 1, sentAt: '2026-12-01T00:00:05.000Z' },
        receipt: { status: 'sent', attempts: 1, sentAt: '2026-12-01T00:00:06.000Z' },
      },
    },
  ],
  nextCursor: null,
};

export const paymentMethodsExample = {
  data: [
    {
      id: 'pm_1QkY7bLkdIwHu7ixVisa',
      type: 'card',
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      isDefault: true,
      createdAt: '2026-11-17T10:02:11.000Z',
    },
  ],
};

export const setupIntentExample = {
  setupIntentId: 'seti_1QkY7eLkdIwHu7ix',
  clientSecret: 'seti_1QkY7eLkdIwHu7ix_secret_Rb4Jc0nGx1',
  publishableKey: 'pk_test_simulator',
};

export const webhookReceivedExample = { received: true, duplicate: false };

export const usageIngestExample = {
  accepted: 2,
  duplicates: ['evt_usage_0001'],
  rejected: [{ index: 3, id: 'evt_usage_0004', reason: 'timestamp_in_future', message: 'timestamp is in the future' }],
};

export const usageHistoryExample = {
  startDate: '2026-12-01',
  endDate: '2026-12-03',
  granularity: 'day',
  data: [
    { period: '2026-12-01', metric: 'messages', quantity: 1204 },
    { period: '2026-12-02', metric: 'messages', quantity: 987 },
  ],
};

export const entitlementsExample = {
  organizationId: 'org_acme',
  plan: 'starter',
  period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
  features: { sso: false, support: 'email' },
  metrics: [
    {
      metric: 'messages',
      kind: 'counter',
      limit: 10000,
      used: 8200,
      remaining: 1800,
      overage: { unitAmount: 100, blockSize: 1000, currency: 'usd' },
    },
  ],
};

export const entitlementDecisionExample = {
  allowed: true,
  plan: 'starter',
  limit: 10000,
  used: 8200,
  remaining: 1800,
  periodEnd: '2027-01-01T00:00:00.000Z',
  consumed: false,
  duplicate: false,
};

export const healthReportExample = {
  range: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  figures: [
    {
      figure: 'payment_success_rate',
      value: 0.97,
      numerator: 97,
      denominator: 100,
      target: { comparison: '>=', value: 0.95 },
      met: true,
    },
  ],
  dunningRevenue: [
    { currency: 'usd', recovered: 19800, recoveredInvoices: 2, lost: 9900, lostInvoices: 1, recoveryRate: 0.67 },
  ],
  details: {
    paymentsAwaitingFirstAttemptExcluded: true,
    webhookEventsStillFailing: 0,
    webhookEventsDeadLettered: 0,
    invoiceEmailsFailed: 0,
    invoiceEmailsPending: 0,
    invoiceEmailsNotQueued: 0,
  },
  allTargetsMet: true,
};

export const undeliveredExample = {
  data: [
    {
      organizationId: 'org_acme',
      stripeInvoiceId: 'in_1QkY7dLkdIwHu7ix',
      number: 'ACME-0003',
      invoiceStatus: 'open',
      amountDue: 9900,
      currency: 'usd',
      invoiceCreatedAt: '2026-12-01T00:00:01.000Z',
      kind: 'invoice_issued',
      status: 'failed',
      attempts: 8,
      sentAt: null,
      lastError: '550 mailbox unavailable',
      toAddress: 'billing@acme.example',
    },
  ],
};

export const resendExample = {
  stripeInvoiceId: 'in_1QkY7dLkdIwHu7ix',
  organizationId: 'org_acme',
  emails: [{ kind: 'invoice_issued', outcome: 'requeued' }],
};

export const healthzExample = { status: 'ok' };
export const readinessExample = {
  status: 'ready',
  checks: { postgres: { ok: true, ms: 2 }, temporal: { ok: true, ms: 5 } },
};
export const readinessDownExample = {
  status: 'unavailable',
  checks: { postgres: { ok: true, ms: 2 }, temporal: { ok: false, error: 'no answer within 2000 ms', ms: 2001 } },
};

export const couponExample = {
  coupon: {
    id: 'SPRING26',
    name: '25 % for 3 months',
    percentOff: 25,
    amountOff: null,
    currency: null,
    duration: 'repeating',
    durationInMonths: 3,
    products: [],
    redeemBy: null,
    maxRedemptions: null,
    timesRedeemed: 0,
    valid: true,
  },
};
export const promotionCodeExample = {
  promotionCode: {
    id: 'promo_1QkY7dLkdIwHu7ix',
    code: 'SPRING26',
    couponId: 'SPRING26',
    active: true,
    expiresAt: null,
    maxRedemptions: 100,
    timesRedeemed: 0,
  },
};

export const discountAppliedExample = {
  discount: {
    promotionCode: 'SPRING25',
    couponId: 'SPRING26',
    name: '25 % for 3 months',
    percentOff: 25,
    amountOff: null,
    currency: null,
    duration: 'repeating',
    durationInMonths: 3,
    endsAt: '2027-03-05T10:00:00.000Z',
  },
};
export const discountRemovedExample = { discount: null };
