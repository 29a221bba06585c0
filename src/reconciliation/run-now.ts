import type { ReconciliationDeps } from './deps';
import { reconcileInvoicesPage } from './invoices';
import { reconcileSubscriptionsPage } from './subscriptions';
import { reconcileAll, type ReconciliationInput, type ReconciliationSummary } from './summary';

/** The workflow's loop in-process, for `reconcile --local` and tests: same pages, no worker needed. */
export function reconcileNow(
  deps: ReconciliationDeps,
  runKey: string,
  input: ReconciliationInput = {},
): Promise<ReconciliationSummary> {
  const read = {
    subscriptions: (i: { runKey: string; startingAfter: string | null }) => reconcileSubscriptionsPage(deps, i),
    invoices: (i: { runKey: string; startingAfter: string | null; createdSince: number }) =>
      reconcileInvoicesPage(deps, i),
  };
  return reconcileAll(read, runKey, Date.now(), input);
}
