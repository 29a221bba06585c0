import type { ActivityDeps } from './deps';
import type { SubscriptionProjection } from './types';

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export function projectionActivities({ db }: ActivityDeps) {
  return {
    /**
     * Upserts the read model row of one Stripe subscription. Guarded by state_version (the workflow's projection
     * order, see `commit` in src/workflows/context.ts): a delayed retry of an older projection never overwrites a
     * newer one (it reports applied: false).
     */
    async projectSubscription(p: SubscriptionProjection): Promise<{ applied: boolean }> {
      const row = {
        organization_id: p.organizationId,
        workflow_id: p.workflowId,
        stripe_customer_id: p.stripeCustomerId,
        stripe_subscription_id: p.stripeSubscriptionId,
        plan: p.plan,
        status: p.status,
        currency: p.currency,
        unit_amount: p.unitAmount,
        current_period_start: date(p.currentPeriodStart),
        current_period_end: date(p.currentPeriodEnd),
        cancel_at_period_end: p.cancelAtPeriodEnd,
        pending_plan: p.pendingPlan,
        trial_end: date(p.trialEnd),
        default_payment_method_id: p.defaultPaymentMethodId,
        dunning_attempt: p.dunningAttempt,
        grace_ends_at: date(p.graceEndsAt),
        canceled_at: date(p.canceledAt),
        ended_at: date(p.endedAt),
        state_version: p.stateVersion,
        updated_at: new Date(),
      };
      const { organization_id: _org, stripe_subscription_id: _sub, ...changes } = row;
      const result = await db
        .insertInto('subscriptions')
        .values(row)
        .onConflict((oc) => oc.column('stripe_subscription_id').doUpdateSet(changes).where('subscriptions.state_version', '<', p.stateVersion))
        .executeTakeFirst();
      return { applied: Number(result.numInsertedOrUpdatedRows ?? 0) > 0 };
    },
  };
}
