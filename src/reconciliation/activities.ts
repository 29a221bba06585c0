import type { PageResult, ReconciliationDeps } from './deps';
import { reconcileInvoicesPage } from './invoices';
import { reconcileSubscriptionsPage } from './subscriptions';

/** Built once by the worker from its dependencies; one activity per page keeps each call short and retryable. */
export function createReconciliationActivities(deps: ReconciliationDeps) {
  return {
    reconcileSubscriptionsPage: (input: { runKey: string; startingAfter: string | null }): Promise<PageResult> =>
      reconcileSubscriptionsPage(deps, input),
    reconcileInvoicesPage: (input: {
      runKey: string;
      startingAfter: string | null;
      createdSince: number;
    }): Promise<PageResult> => reconcileInvoicesPage(deps, input),
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
