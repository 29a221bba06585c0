import type Stripe from 'stripe';
import { ApplicationFailure } from '@temporalio/activity';
import { getPlan, type PlanId } from '../domain/plans';

/** Resolves a plan's current Stripe price by lookup key (the catalog sync keeps the key on the live price). */
export async function priceIdFor(stripe: Stripe, plan: PlanId): Promise<string> {
  const lookupKey = getPlan(plan).price.lookupKey;
  const [price] = lookupKey ? (await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 })).data : [];
  if (!price) {
    throw ApplicationFailure.create({
      type: 'InvalidRequest', nonRetryable: true,
      message: `no active Stripe price for ${plan}${lookupKey ? ` (lookup key ${lookupKey}); run npm run catalog:sync` : ''}`,
    });
  }
  return price.id;
}
