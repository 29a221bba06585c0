import { UsageError, type CliCommand } from '../../src/cli/command';
import { couponCreateCommand, promotionCodeCreateCommand } from '../../src/cli/commands/discounts';
import { randomUUID } from 'node:crypto';
import { DEFAULT_TERMS, renewalAmount } from '../../src/domain/pricing';
import type Stripe from 'stripe';
import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const ADMIN_TOKEN = 'adm_discounts_e2e_0123456789abcdefgh';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

const admin = () => apiClient(stack, ADMIN_TOKEN);
type Envelope = { error: { code: string; message: string; details?: unknown } };

describe('operators create coupons and promotion codes (admin routes)', () => {
  test('a repeating percent coupon limited to plans, and a promotion code for it; a retry returns the same code', async () => {
    const call = admin();
    const coupon = await call<{ coupon: Record<string, unknown> }>('POST', '/admin/coupons', {
      id: 'E2E_SPRING',
      name: 'Spring: 25 % for 3 months',
      percentOff: 25,
      duration: 'repeating',
      durationInMonths: 3,
      plans: ['starter', 'professional'],
      maxRedemptions: 50,
    });
    expect(coupon.status).toBe(201);
    expect(coupon.body.coupon).toMatchObject({
      id: 'E2E_SPRING',
      percentOff: 25,
      amountOff: null,
      duration: 'repeating',
      durationInMonths: 3,
      products: ['billing_starter', 'billing_professional'],
      maxRedemptions: 50,
      timesRedeemed: 0,
      valid: true,
    });
    const stripeCoupon = await stack.stripe.coupons.retrieve('E2E_SPRING');
    expect(stripeCoupon.applies_to?.products).toEqual(['billing_starter', 'billing_professional']);

    const body = { code: 'SPRING25', couponId: 'E2E_SPRING', maxRedemptions: 10 };
    const headers = { 'idempotency-key': 'e2e-spring25-code' };
    const promo = await call<{ promotionCode: { id: string } }>('POST', '/admin/promotion-codes', body, headers);
    expect(promo.status).toBe(201);
    expect(promo.body.promotionCode).toMatchObject({
      code: 'SPRING25',
      couponId: 'E2E_SPRING',
      active: true,
      maxRedemptions: 10,
      timesRedeemed: 0,
    });
    const again = await call<{ promotionCode: { id: string } }>('POST', '/admin/promotion-codes', body, headers);
    expect(again.status).toBe(201);
    expect(again.body.promotionCode.id).toBe(promo.body.promotionCode.id);
    expect((await stack.stripe.promotionCodes.list({ code: 'spring25' })).data).toHaveLength(1);
  });

  test('bad coupons and codes are refused with the envelope and nothing is created in Stripe', async () => {
    const call = admin();
    const before = (await stack.stripe.coupons.list({ limit: 100 })).data.length;
    const cases: Array<[unknown, number, string]> = [
      [{ name: 'Both', percentOff: 10, amountOff: 500, currency: 'usd', duration: 'once' }, 422, 'VALIDATION_FAILED'],
      [{ name: 'No currency', amountOff: 500, duration: 'once' }, 422, 'VALIDATION_FAILED'],
      [{ name: 'No months', percentOff: 10, duration: 'repeating' }, 422, 'VALIDATION_FAILED'],
      [
        { name: 'Months on forever', percentOff: 10, duration: 'forever', durationInMonths: 2 },
        422,
        'VALIDATION_FAILED',
      ],
      [{ name: 'Too much', percentOff: 120, duration: 'once' }, 422, 'VALIDATION_FAILED'],
      [{ name: 'Free plan', percentOff: 10, duration: 'once', plans: ['free'] }, 422, 'VALIDATION_FAILED'],
      [{ name: 'Past', percentOff: 10, duration: 'once', redeemBy: '2020-01-01T00:00:00Z' }, 422, 'VALIDATION_FAILED'],
      [{ name: 'Unknown field', percentOff: 10, duration: 'once', extra: 1 }, 422, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call<Envelope>('POST', '/admin/coupons', body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
    }
    expect((await stack.stripe.coupons.list({ limit: 100 })).data.length).toBe(before);

    const dup = await call<Envelope>('POST', '/admin/coupons', {
      id: 'E2E_DUP',
      name: 'Dup',
      percentOff: 5,
      duration: 'once',
    });
    expect(dup.status).toBe(201);
    const dupAgain = await call<Envelope>(
      'POST',
      '/admin/coupons',
      { id: 'E2E_DUP', name: 'Dup', percentOff: 5, duration: 'once' },
      { 'idempotency-key': 'another-key-for-dup' },
    );
    expect(dupAgain.status).toBe(400);
    expect(dupAgain.body.error.code).toBe('INVALID_REQUEST');
    expect(dupAgain.body.error.message).toMatch(/already exists/);

    const noCoupon = await call<Envelope>('POST', '/admin/promotion-codes', {
      code: 'NOPE10',
      couponId: 'E2E_MISSING',
    });
    expect(noCoupon.status).toBe(404);
    expect(noCoupon.body.error.code).toBe('NOT_FOUND');
    const badCode = await call<Envelope>('POST', '/admin/promotion-codes', { code: 'no spaces', couponId: 'E2E_DUP' });
    expect(badCode.status).toBe(422);
    await call('POST', '/admin/promotion-codes', { code: 'TAKEN5', couponId: 'E2E_DUP' });
    const taken = await call<Envelope>(
      'POST',
      '/admin/promotion-codes',
      { code: 'taken5', couponId: 'E2E_DUP' },
      { 'idempotency-key': 'second-taken5-attempt' },
    );
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CONFLICT');
  });
});

describe('operators create coupons and promotion codes (CLI)', () => {
  async function run(command: CliCommand, ...argv: string[]): Promise<string> {
    const lines: string[] = [];
    const deps = {
      config: stack.config,
      db: stack.t.db,
      temporal: stack.temporal.client,
      out: (l: string) => lines.push(l),
      progress: () => undefined,
    };
    await command.run(argv, deps);
    return lines.join('\n');
  }

  test('coupon-create and promotion-code-create; a rerun of the same code returns it; bad options are usage errors', async () => {
    expect(
      await run(
        couponCreateCommand,
        '--id',
        'CLI_TEN',
        '--name',
        'Ten off',
        '--amount-off',
        '1000',
        '--currency',
        'usd',
        '--duration',
        'forever',
      ),
    ).toBe('coupon CLI_TEN: 1000 usd off, forever');
    const first = await run(
      promotionCodeCreateCommand,
      '--code',
      'CLITEN',
      '--coupon',
      'CLI_TEN',
      '--max-redemptions',
      '3',
    );
    expect(first).toMatch(/^promotion code CLITEN \(promo_\w+\) for coupon CLI_TEN: active true$/);
    expect(
      await run(promotionCodeCreateCommand, '--code', 'CLITEN', '--coupon', 'CLI_TEN', '--max-redemptions', '3'),
    ).toBe(first);
    expect((await stack.stripe.coupons.retrieve('CLI_TEN')).amount_off).toBe(1000);

    await expect(
      run(couponCreateCommand, '--name', 'X', '--percent-off', '10', '--duration', 'repeating'),
    ).rejects.toThrow(new UsageError('a repeating coupon needs --months'));
    await expect(run(couponCreateCommand, '--name', 'X', '--duration', 'once')).rejects.toThrow(UsageError);
    await expect(
      run(couponCreateCommand, '--name', 'X', '--percent-off', '10', '--duration', 'once', '--plans', 'free'),
    ).rejects.toThrow(/--plans/);
    await expect(run(promotionCodeCreateCommand, '--code', 'a b', '--coupon', 'CLI_TEN')).rejects.toThrow(/--code/);
  });
});

const DAY = 86_400_000;
type SubState = { subscription: { status: string; currentPeriodEnd: string } | null };
type Discount = { discount: Record<string, unknown> | null };

async function stripeSubscriptionOf(org: string): Promise<Stripe.Subscription> {
  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  const [sub] = (await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id, limit: 1 })).data;
  if (!sub) throw new Error(`no subscription for ${org}`);
  return sub;
}

/** The subscription's invoices, oldest first: [billing reason, subtotal, total]. */
async function invoiceTotals(org: string): Promise<[string | null, number, number][]> {
  const sub = await stripeSubscriptionOf(org);
  return (await stack.stripe.invoices.list({ subscription: sub.id, limit: 20 })).data
    .reverse()
    .map((i) => [i.billing_reason, i.subtotal, i.total]);
}

/** The discount GET /subscription shows (null: none). */
async function shownDiscount(call: ReturnType<typeof apiClient>): Promise<Record<string, unknown> | null> {
  const got = await call<{ subscription: { discount: Record<string, unknown> | null } | null }>('GET', '/subscription');
  expect(got.status).toBe(200);
  return got.body.subscription?.discount ?? null;
}

async function customer(tag: string) {
  const org = `org_${tag}_${randomUUID().slice(0, 8)}`;
  return { org, call: apiClient(stack, await userToken({ org, email: `${org}@customers.example` })) };
}

describe('customers redeem promotion codes (through the API, on the simulator)', () => {
  beforeAll(async () => {
    const call = admin();
    await call('POST', '/admin/coupons', {
      id: 'E2E_Q',
      name: '25 % for 2 months',
      percentOff: 25,
      duration: 'repeating',
      durationInMonths: 2,
    });
    await call('POST', '/admin/promotion-codes', { code: 'QUARTER25', couponId: 'E2E_Q' });
    await call('POST', '/admin/coupons', {
      id: 'E2E_FOREVER',
      name: '10 % forever',
      percentOff: 10,
      duration: 'forever',
    });
    await call('POST', '/admin/promotion-codes', { code: 'LOYAL10', couponId: 'E2E_FOREVER' });
    await call('POST', '/admin/coupons', {
      id: 'E2E_PRO_ONLY',
      name: 'Pro only',
      percentOff: 50,
      duration: 'once',
      plans: ['professional'],
    });
    await call('POST', '/admin/promotion-codes', { code: 'PROHALF', couponId: 'E2E_PRO_ONLY' });
    await call('POST', '/admin/coupons', { id: 'E2E_ONE', name: 'One redemption', percentOff: 5, duration: 'forever' });
    await call('POST', '/admin/promotion-codes', { code: 'SINGLE5', couponId: 'E2E_ONE', maxRedemptions: 1 });
  });

  test('a repeating coupon given at subscribe reduces two monthly invoices and is gone from the third', async () => {
    const { org, call } = await customer('repeating');
    const created = await call<SubState>(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true, promotionCode: 'quarter25' },
      { 'idempotency-key': `sub-${org}` },
    );
    expect(created.status).toBe(201);
    const sub = await stripeSubscriptionOf(org);
    expect(sub.discounts).toHaveLength(1);
    const stripeDiscount = (await stack.stripe.subscriptions.retrieve(sub.id, { expand: ['discounts'] }))
      .discounts[0] as Stripe.Discount;
    expect(stripeDiscount.end).not.toBeNull();
    // GET /subscription shows the discount as Stripe has it: the coupon, its percentage, duration and end.
    const shown = await eventually(
      'GET /subscription shows the discount',
      async () => (await shownDiscount(call)) ?? undefined,
    );
    expect(shown).toEqual({
      promotionCode: 'QUARTER25',
      couponId: 'E2E_Q',
      name: '25 % for 2 months',
      percentOff: 25,
      amountOff: null,
      currency: null,
      duration: 'repeating',
      durationInMonths: 2,
      endsAt: new Date(stripeDiscount.end! * 1000).toISOString(),
    });
    let periodEnd = Date.parse(created.body.subscription!.currentPeriodEnd);
    for (let renewal = 1; renewal <= 2; renewal++) {
      await advanceClock(stack, org, periodEnd + DAY);
      await eventually(`renewal ${renewal}`, async () =>
        (await invoiceTotals(org)).length === renewal + 1 ? true : undefined,
      );
      periodEnd = (await stripeSubscriptionOf(org)).items.data[0]!.current_period_end * 1000;
    }
    const totals = await invoiceTotals(org);
    expect(totals.map(([, subtotal, total]) => [subtotal, total])).toEqual([
      [subtotal(totals[0]), Math.round(subtotal(totals[0]) * 0.75)],
      [subtotal(totals[1]), Math.round(subtotal(totals[1]) * 0.75)],
      [subtotal(totals[2]), subtotal(totals[2])],
    ]);
    expect((await stripeSubscriptionOf(org)).discounts).toEqual([]);
    // GET /invoices shows each invoice's subtotal and what the coupon took off, as mirrored from Stripe's events.
    const shownInvoices = await eventually('three invoices with their discounts in GET /invoices', async () => {
      const got = await call<{ data: { subtotal: number | null; discount: number | null; status: string }[] }>(
        'GET',
        '/invoices',
      );
      const paid = got.body.data.filter((i) => i.status === 'paid');
      return paid.length === 3 ? paid.reverse() : undefined;
    });
    expect(shownInvoices.map((i) => [i.subtotal, i.discount])).toEqual(
      totals.map(([, sub, total]) => [sub, sub - total]),
    );
    // Stripe took the ended discount off; the subscription's view follows at the renewal that read it.
    await eventually('GET /subscription without the ended discount', async () =>
      (await shownDiscount(call)) === null ? true : undefined,
    );
  });

  test('a forever code applied later reduces every renewal; removing it takes it off', async () => {
    const { org, call } = await customer('forever');
    const created = await call<SubState>('POST', '/subscription', {
      planId: 'starter',
      paymentMethodId: 'pm_card_visa',
      skipTrial: true,
    });
    expect(created.status).toBe(201);
    const applied = await call<Discount>('POST', '/subscription/discount', { promotionCode: 'LOYAL10' });
    expect(applied.status).toBe(200);
    expect(applied.body.discount).toMatchObject({
      promotionCode: 'LOYAL10',
      percentOff: 10,
      duration: 'forever',
      endsAt: null,
    });
    const shown = await eventually(
      'GET /subscription shows the discount',
      async () => (await shownDiscount(call)) ?? undefined,
    );
    expect(shown).toEqual(applied.body.discount);
    expect(shown).toMatchObject({ couponId: 'E2E_FOREVER', durationInMonths: null, amountOff: null });
    let periodEnd = Date.parse(created.body.subscription!.currentPeriodEnd);
    for (let renewal = 1; renewal <= 2; renewal++) {
      await advanceClock(stack, org, periodEnd + DAY);
      await eventually(`renewal ${renewal}`, async () =>
        (await invoiceTotals(org)).length === renewal + 1 ? true : undefined,
      );
      periodEnd = (await stripeSubscriptionOf(org)).items.data[0]!.current_period_end * 1000;
    }
    const totals = await invoiceTotals(org);
    expect(totals.slice(1).map(([, subtotal, total]) => total / subtotal)).toEqual([0.9, 0.9]);
    expect(totals[0]![2]).toBe(totals[0]![1]);

    const removed = await call<Discount>('DELETE', '/subscription/discount');
    expect(removed.status).toBe(200);
    expect(removed.body.discount).toBeNull();
    await eventually('GET /subscription without the discount', async () =>
      (await shownDiscount(call)) === null ? true : undefined,
    );
    expect((await stripeSubscriptionOf(org)).discounts).toEqual([]);
  });

  test('unknown, not-applicable and used-up codes are refused with the envelope and nothing is redeemed', async () => {
    const first = await customer('single');
    expect(
      (
        await first.call('POST', '/subscription', {
          planId: 'starter',
          paymentMethodId: 'pm_card_visa',
          skipTrial: true,
          promotionCode: 'SINGLE5',
        })
      ).status,
    ).toBe(201);
    const { org, call } = await customer('refused');
    const refusedSubscribe = await call<Envelope>('POST', '/subscription', {
      planId: 'starter',
      paymentMethodId: 'pm_card_visa',
      skipTrial: true,
      promotionCode: 'PROHALF',
    });
    expect(refusedSubscribe.status).toBe(400);
    expect(refusedSubscribe.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { promotionCode: 'not_applicable' },
    });
    expect(
      (await call('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true }))
        .status,
    ).toBe(201);
    for (const [code, reason] of [
      ['NOSUCH99', 'unknown'],
      ['PROHALF', 'not_applicable'],
      ['SINGLE5', 'exhausted'],
    ] as const) {
      const res = await call<Envelope>('POST', '/subscription/discount', { promotionCode: code });
      expect({ code, status: res.status, error: res.body.error }).toMatchObject({
        code,
        status: 400,
        error: { code: 'INVALID_REQUEST', details: { promotionCode: reason } },
      });
    }
    const malformed = await call<Envelope>('POST', '/subscription/discount', { promotionCode: 'no spaces' });
    expect(malformed.status).toBe(422);
    expect((await stripeSubscriptionOf(org)).discounts).toEqual([]);
    expect((await stack.stripe.coupons.retrieve('E2E_PRO_ONLY')).times_redeemed).toBe(0);
  });
});

describe('previews with a discount (through the API, on the simulator)', () => {
  type Preview = { amountDueNow: number; prorationAmount: number; nextRenewalAmount: number; effective: string };
  type Upcoming = {
    upcoming: {
      subtotal: number;
      discount: number;
      discounts: { amount: number; discount: Record<string, unknown> }[];
      total: number;
      amountDue: number;
    } | null;
  };

  async function invoiceWhere(org: string, reason: string, after: number): Promise<Stripe.Invoice> {
    const sub = await stripeSubscriptionOf(org);
    return eventually(`a ${reason} invoice`, async () =>
      (await stack.stripe.invoices.list({ subscription: sub.id, limit: 20 })).data.find(
        (i) => i.billing_reason === reason && i.created * 1000 >= after && i.status !== 'draft',
      ),
    );
  }
  const discounted = (i: Stripe.Invoice) => (i.total_discount_amounts ?? []).reduce((s, d) => s + d.amount, 0);

  test('an upgrade preview and the next invoice with a coupon are what Stripe then invoices', async () => {
    await admin()('POST', '/admin/coupons', {
      id: 'E2E_FIFTH',
      name: '20 % forever',
      percentOff: 20,
      duration: 'forever',
    });
    await admin()('POST', '/admin/promotion-codes', { code: 'FIFTH20', couponId: 'E2E_FIFTH' });
    const { org, call } = await customer('previews');
    const created = await call<SubState>(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true, promotionCode: 'FIFTH20' },
      { 'idempotency-key': `sub-${org}` },
    );
    expect(created.status).toBe(201);
    const start = await clockNow(stack, org);
    await advanceClock(stack, org, start + 10 * DAY);

    // The upgrade's preview, then the upgrade: Stripe's proration invoice is the preview, discount included.
    const preview = await call<Preview>('POST', '/subscription/preview', { planId: 'professional' });
    expect(preview.status).toBe(200);
    expect(preview.body.effective).toBe('now');
    expect(preview.body.amountDueNow).toBeGreaterThan(0);
    // The renewal at catalog prices: the discounted one is GET /invoices/upcoming's.
    expect(preview.body.nextRenewalAmount).toBe(renewalAmount('professional', DEFAULT_TERMS));
    const upgraded = await call(
      'PATCH',
      '/subscription',
      { planId: 'professional' },
      { 'idempotency-key': `up-${org}` },
    );
    expect(upgraded.status).toBe(200);
    const proration = await invoiceWhere(org, 'subscription_update', start);
    expect(proration.amount_due).toBe(preview.body.amountDueNow);

    // The next invoice as previewed, then as Stripe issues it at the renewal.
    const upcoming = (await call<Upcoming>('GET', '/invoices/upcoming')).body.upcoming!;
    expect(upcoming.subtotal).toBe(renewalAmount('professional', DEFAULT_TERMS));
    expect(upcoming.discount).toBe(Math.round(upcoming.subtotal * 0.2));
    expect(upcoming.total).toBe(upcoming.subtotal - upcoming.discount);
    expect(upcoming.discounts).toEqual([
      {
        amount: upcoming.discount,
        discount: expect.objectContaining({
          promotionCode: 'FIFTH20',
          couponId: 'E2E_FIFTH',
          name: '20 % forever',
          percentOff: 20,
          duration: 'forever',
          endsAt: null,
        }),
      },
    ]);
    const periodEnd = (await stripeSubscriptionOf(org)).items.data[0]!.current_period_end * 1000;
    await advanceClock(stack, org, periodEnd + DAY);
    const renewal = await invoiceWhere(org, 'subscription_cycle', periodEnd);
    expect({
      subtotal: renewal.subtotal,
      discount: discounted(renewal),
      total: renewal.total,
      amountDue: renewal.amount_due,
    }).toEqual({
      subtotal: upcoming.subtotal,
      discount: upcoming.discount,
      total: upcoming.total,
      amountDue: upcoming.amountDue,
    });
  });
});

function subtotal(row: [string | null, number, number] | undefined): number {
  return row?.[1] ?? 0;
}
