import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DiscountView } from '../../src/domain/discounts';
import { applyDiscountUpdate, removeDiscountUpdate } from '../../src/workflows/messages';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { DAY } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('discounts');
  t.fake.promotionCodes.set('SPRING25', spring);
});
afterAll(async () => {
  await t?.teardown();
});

const spring: DiscountView = {
  promotionCode: 'SPRING25',
  couponId: 'SPRING',
  name: 'Spring',
  percentOff: 25,
  amountOff: null,
  currency: null,
  duration: 'repeating',
  durationInMonths: 3,
  endsAt: '2027-03-01T00:00:00.000Z',
};

let orgSeq = 0;
const newOrg = () => `org-discounts-${++orgSeq}-${Date.now().toString(36)}`;
const apply = (org: string, promotionCode: string) =>
  t.handle(org).executeUpdate(applyDiscountUpdate, { args: [{ promotionCode }] });
const remove = (org: string) => t.handle(org).executeUpdate(removeDiscountUpdate, { args: [] });
const calls = (name: string) => t.fake.calls.filter((c) => c.name === name);

async function refusal(p: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: cause.type ?? undefined, message: cause.message };
}

test('a promotion code applied to a live subscription shows in its view, and removing it takes it off', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(start.discount).toBeNull();
  await t.env.sleep(2 * DAY);
  const applied = await apply(org, 'spring25');
  expect(applied.discount).toEqual(spring);
  expect(calls('applyDiscount').at(-1)?.args).toEqual({
    subscriptionId: start.stripeSubscriptionId,
    promotionCode: 'spring25',
  });
  expect((await t.state(org)).discount).toEqual(spring);
  expect(t.fake.projections.at(-1)).toMatchObject({ discount: spring });

  const removed = await remove(org);
  expect(removed.discount).toBeNull();
  expect(t.fake.projections.at(-1)?.discount).toBeNull();
  // Nothing left to remove: refused before Stripe is asked.
  const before = calls('removeDiscount').length;
  expect(await refusal(remove(org))).toEqual({ type: 'InvalidRequest', message: 'the subscription has no discount' });
  expect(calls('removeDiscount')).toHaveLength(before);
});

test('an unknown code is refused with nothing changed; a malformed one before Stripe is asked', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(await refusal(apply(org, 'NOSUCHCODE'))).toEqual({
    type: 'InvalidRequest',
    message: 'There is no such promotion code',
  });
  expect((await t.state(org)).discount).toBeNull();
  const asked = calls('applyDiscount').length;
  expect((await refusal(apply(org, 'no spaces!'))).type).toBe('InvalidRequest');
  expect(calls('applyDiscount')).toHaveLength(asked);
});
