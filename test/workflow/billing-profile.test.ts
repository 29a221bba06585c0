import { WithStartWorkflowOperation } from '@temporalio/client';
import type { BillingProfile } from '../../src/domain/billing-profile';
import { subscriptionWorkflowId, updateBillingProfileUpdate } from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription-workflow';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('billing-profile');
});
afterAll(async () => {
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-profile-${++orgSeq}-${Date.now().toString(36)}`;
const profile: BillingProfile = {
  email: 'billing@acme.example',
  legalName: 'Acme GmbH',
  address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
  taxIds: [{ type: 'eu_vat', value: 'DE123456789' }],
};
const withStart = (org: string) =>
  new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(org),
    taskQueue: t.taskQueue,
    args: [{ organizationId: org }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
const profileCalls = (org: string) =>
  t.fake.calls.filter(
    (c) =>
      c.name === 'updateCustomerProfile' &&
      t.fake.customers.get((c.args as { customerId: string }).customerId)?.organizationId === org,
  );

test('a billing profile written before subscribing creates the Stripe customer the later subscribe uses', async () => {
  const org = newOrg();
  const saved = await t.env.client.workflow.executeUpdateWithStart(updateBillingProfileUpdate, {
    args: [profile],
    updateId: `profile-${org}`,
    startWorkflowOperation: withStart(org),
  });
  expect(saved).toMatchObject({ email: profile.email, legalName: 'Acme GmbH', taxIds: [{ type: 'eu_vat' }] });
  const customerId = (await t.state(org)).stripeCustomerId;
  expect(customerId).toMatch(/^cus_/);
  expect(profileCalls(org)).toEqual([
    expect.objectContaining({ args: { customerId, step: `profile:profile-${org}` } }),
  ]);

  const subscribed = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(subscribed).toMatchObject({ status: 'active', stripeCustomerId: customerId });
  expect([...t.fake.customers.values()].filter((c) => c.organizationId === org)).toHaveLength(1);
});

test('on a live subscription the profile goes to its customer; a bad profile is refused before anything happens', async () => {
  const org = newOrg();
  const view = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  await t.handle(org).executeUpdate(updateBillingProfileUpdate, {
    args: [{ ...profile, taxIds: [] }],
    updateId: `p1-${org}`,
  });
  expect(profileCalls(org)).toHaveLength(1);

  await expect(
    t.handle(org).executeUpdate(updateBillingProfileUpdate, {
      args: [{ ...profile, taxIds: [{ type: 'eu_vat', value: 'DE12' }] }],
      updateId: `p2-${org}`,
    }),
  ).rejects.toMatchObject({ cause: { type: 'InvalidRequest', message: expect.stringMatching(/not a valid eu_vat/) } });
  expect(profileCalls(org)).toHaveLength(1);
  expect(await t.state(org)).toMatchObject({ status: 'active', stripeCustomerId: view.stripeCustomerId });
});
