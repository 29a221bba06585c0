// The worker's workflowsPath points here: every workflow type the billing worker runs.
export { subscriptionWorkflow } from './subscription-workflow';
export { reconciliationWorkflow } from '../reconciliation/workflow';
