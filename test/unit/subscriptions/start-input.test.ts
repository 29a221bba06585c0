import { POLICY_PROFILES } from '../../../src/domain/policy-profiles';
import { subscriptionStartInput } from '../../../src/subscriptions/client';

test('a run started under the standard profile carries no policy overrides', () => {
  expect(subscriptionStartInput('org_1', 'standard')).toEqual({ organizationId: 'org_1' });
  expect(subscriptionStartInput('org_1', 'standard')).not.toHaveProperty('policy');
});

test('an adopted run gets the same policy as a subscribed one under every profile', () => {
  const adopt = { stripeSubscriptionId: 'sub_1' };
  expect(subscriptionStartInput('org_1', 'demo')).toEqual({ organizationId: 'org_1', policy: POLICY_PROFILES.demo });
  expect(subscriptionStartInput('org_1', 'demo', adopt)).toEqual({
    organizationId: 'org_1',
    policy: POLICY_PROFILES.demo,
    adopt,
  });
});
