import { projectSubscription } from '../db/read-models/subscriptions';
import type { ActivityDeps } from './deps';
import type { SubscriptionProjection } from './types';

export function projectionActivities({ db }: ActivityDeps) {
  return {
    /** Writes the read model row of one Stripe subscription; applied: false when a newer projection is stored. */
    async projectSubscription(p: SubscriptionProjection): Promise<{ applied: boolean }> {
      return projectSubscription(db, p);
    },
  };
}
