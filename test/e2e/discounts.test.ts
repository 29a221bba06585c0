import { UsageError, type CliCommand } from '../../src/cli/command';
import { couponCreateCommand, promotionCodeCreateCommand } from '../../src/cli/commands/discounts';
import { apiClient, startStack, type Stack } from '../helpers/stack';

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
