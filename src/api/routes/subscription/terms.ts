import { z } from '@hono/zod-openapi';
import {
  ADD_ON_IDS,
  BILLING_INTERVALS,
  MAX_ADD_ON_PACKS,
  MAX_EXTRA_SEATS,
  seatShortfall,
  type Terms,
} from '../../../domain/pricing';
import { isPlanId, type PlanId } from '../../../domain/plans';
import { readEntitlements } from '../../../usage/entitlements';
import type { EndpointRequest } from '../../endpoint';
import { ApiError } from '../../errors';
import { findCurrentSubscription } from '../../../db/read-models/subscriptions';

export const IntervalInput = z
  .enum(BILLING_INTERVALS)
  .openapi({ description: 'Billing interval (yearly = 10 months)' });
export const SeatsInput = z
  .number()
  .int()
  .min(0)
  .max(MAX_EXTRA_SEATS)
  .openapi({ description: 'Seats bought beyond the plan’s included ones (absolute, not a delta)' });
export const AddOnIdInput = z.enum(ADD_ON_IDS);
export const PacksInput = z.number().int().min(0).max(MAX_ADD_ON_PACKS);
export const AddOnsInput = z
  .object({ agents_5: PacksInput.optional(), storage_10gb: PacksInput.optional() } satisfies Record<
    (typeof ADD_ON_IDS)[number],
    z.ZodOptional<typeof PacksInput>
  >)
  .strict()
  .openapi({ description: 'Packs per add-on, absolute (0 removes it at the renewal)' });

/**
 * Removing seats below the users in use is refused before anything reaches the workflow (409 with the numbers).
 * Users in use is the `users` gauge's latest reading; a user added right after this check is caught by the
 * entitlement check on the next seat (the limit only falls at the renewal).
 */
export async function refuseSeatsBelowUsers(
  r: EndpointRequest,
  change: { plan?: PlanId; seats?: number; addOns?: Terms['addOns']; interval?: Terms['interval'] },
): Promise<void> {
  if (change.seats === undefined && change.plan === undefined) return;
  const current = await findCurrentSubscription(r.deps.db, r.principal.organizationId);
  if (!current || current.endedAt !== null) return;
  const base = current.scheduledChange ?? { ...current, plan: current.plan };
  const plan = change.plan ?? (isPlanId(base.plan) ? base.plan : null);
  if (plan === null || plan === 'free') return;
  const terms: Terms = {
    interval: change.interval ?? base.interval,
    seats: change.seats ?? base.seats,
    addOns: { ...base.addOns, ...change.addOns },
  };
  const entitlements = await readEntitlements(r.deps.db, r.principal.organizationId, Date.now());
  const usersInUse = entitlements.metrics.find((m) => m.metric === 'users')?.used ?? 0;
  const shortfall = seatShortfall(plan, terms, usersInUse);
  if (shortfall)
    throw new ApiError(
      'CONFLICT',
      `${shortfall.usersInUse} users are in use but the change leaves ${shortfall.seatLimit} seats; remove users first`,
      { reason: 'SeatsInUse', ...shortfall },
    );
}
