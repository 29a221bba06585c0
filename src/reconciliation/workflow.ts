import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from './activities';
import { reconcileAll, type ReconciliationInput, type ReconciliationSummary } from './summary';

// Deterministic workflow code (same rules as src/workflows/**): it only sequences page activities.
const acts = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '5 seconds', backoffCoefficient: 2 },
});

/** Started by the daily Schedule or on demand: pages through Stripe and repairs what drifted. */
export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationSummary> {
  const read = { subscriptions: acts.reconcileSubscriptionsPage, invoices: acts.reconcileInvoicesPage };
  return reconcileAll(read, workflowInfo().runId, Date.now(), input);
}
